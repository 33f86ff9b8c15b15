import { join } from 'node:path';
import type { SignedEnvelope } from '../../signing/envelope.js';

/**
 * The files the gateway (user hearth) and the root updater (`hearth-release apply`, started by
 * systemd/hearth-update.path) exchange under <stateDir>/update/. The service writes the bundle, the
 * request and the connected marker; root writes the result (by rename, never through a name the
 * service could have pointed elsewhere) and never trusts the request: it verifies the signature
 * again with the keys in /etc/hearth-keys/ (root's own) and the bundle's SHA-256 on its own copy.
 * docs/remote-management.md, "Software update".
 */
export const UPDATE_DIR = 'update';
/** The signed command and the downloaded bundle, for the root updater; the path unit watches it. */
export const REQUEST_FILE = 'request.json';
/** What the root updater did; read and reported once by whichever release runs next. */
export const RESULT_FILE = 'result.json';
/** Written by a running gateway once its uplink has connected: the updater's proof of reconnect. */
export const CONNECTED_FILE = 'connected.json';
/** The downloaded bundle. */
export const BUNDLE_FILE = 'bundle.tar.gz';

/** Largest bundle accepted (a release with its node_modules is 30-60 MB). */
export const MAX_BUNDLE_BYTES = 300 * 1024 * 1024;

export function updateDir(stateDir: string): string {
  return join(stateDir, UPDATE_DIR);
}

/** Where the answer to the command goes once the update has a final outcome. */
export interface ReplyRoute {
  id: string;
  name: string;
  topic: string;
  deviceId?: string;
  replyTo?: Record<string, string>;
}

/** request.json */
export interface UpdateRequest {
  v: 1;
  /** The signed update_software command exactly as received. */
  envelope: SignedEnvelope;
  /** The verified download (absolute path under the update folder). */
  bundle: string;
  /** The version that asked for it. */
  from: string;
  to: string;
  requestedAt: number;
  reply: ReplyRoute;
}

/** result.json */
export interface UpdateResult {
  v: 1;
  outcome: 'installed' | 'rolled_back' | 'refused';
  /** Machine-readable reason (docs/remote-management.md, result codes). */
  code: string;
  message: string;
  from: string;
  to: string;
  /** The version current after the updater finished. */
  running: string;
  at: number;
  reply?: ReplyRoute;
}

/** connected.json */
export interface ConnectedMarker {
  version: string;
  pid: number;
  at: number;
}
