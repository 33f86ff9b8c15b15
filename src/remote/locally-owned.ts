import type { HearthConfig } from '../config/types.js';

/**
 * What a remote config can never change, however it is signed: who the gateway is and where it
 * keeps its state (a new state directory is a fresh outbox, sequence 1, a new API token, unsent
 * records left behind), remote management itself (keys and allow list: the remote channel must not
 * widen its own rights), and the local alarm actions (what sounds when a detector trips) unless
 * the site's own config delegates them (`remote.delegate: [actions]`).
 */
export interface OwnedPart {
  path: string;
  value: (c: HearthConfig) => unknown;
  /** Set for parts the local config may hand over. */
  delegable?: 'actions';
}

export const LOCALLY_OWNED: readonly OwnedPart[] = [
  { path: 'gateway', value: (c) => c.gateway },
  { path: 'remote', value: (c) => c.remote ?? null },
  { path: 'outbox.path', value: (c) => c.outbox.path },
  { path: 'actions', value: (c) => c.actions, delegable: 'actions' },
];

/** Top-level sections a section edit may never target (checked before anything is built). */
export const NEVER_REMOTE_SECTIONS = new Set(['gateway', 'remote']);

/** `path: message` for every locally owned part the new config changes. */
export function ownedChanges(before: HearthConfig, after: HearthConfig, delegated: readonly string[]): string[] {
  const problems: string[] = [];
  for (const part of LOCALLY_OWNED) {
    if (part.delegable !== undefined && delegated.includes(part.delegable)) continue;
    if (stable(part.value(before)) === stable(part.value(after))) continue;
    const how = part.delegable !== undefined ? ` unless the local config delegates it (remote.delegate: [${part.delegable}])` : '';
    problems.push(`${part.path}: owned by the local config; cannot be changed remotely${how}`);
  }
  return problems;
}

/** JSON with object keys sorted, so key order in the file does not count as a change. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}
