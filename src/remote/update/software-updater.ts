import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import type { SignedEnvelope } from '../../signing/envelope.js';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import type { CommandResult } from '../../uplink/codec.js';
import { download } from './download.js';
import { BUNDLE_FILE, REQUEST_FILE, updateDir, type ReplyRoute, type UpdateRequest } from './update-files.js';

export interface UpdateParams {
  version: string;
  url: string;
  sha256: string;
  size: number;
}

export interface SoftwareUpdaterOptions {
  stateDir: string;
  /** The running version (src/version.ts). */
  version: string;
  /** Fire alarms active now: an update is refused while any is. */
  activeFireAlarms: () => number;
  now: () => number;
  logger: Logger;
  /** Whole download (default 10 minutes: 60 MB over a slow 4G link). */
  downloadTimeoutMs?: number;
}

const STALE_REQUEST_MS = 3_600_000;

/**
 * The gateway's half of a remote software update. The service runs unprivileged and must not
 * install software itself: it refuses what must not start (a fire alarm active, the version
 * already running, an update already under way), downloads the bundle the signed command names,
 * checks its size and SHA-256 against the signed values, and leaves the signed command and the
 * bundle in <stateDir>/update/request.json for the root updater (systemd/hearth-update.path), which
 * verifies both again before installing. The command's answer says the update was handed over
 * (`update_staged`); the final outcome is reported by the release that runs afterwards
 * (update-report.ts).
 */
export class SoftwareUpdater {
  private busy = false;

  constructor(private readonly options: SoftwareUpdaterOptions) {}

  /** Whether an update is downloading or waiting for the root updater. */
  inProgress(): boolean {
    if (this.busy) return true;
    const dir = updateDir(this.options.stateDir);
    // A request nobody took within the hour (no updater installed, an updater killed) blocks no longer.
    return [REQUEST_FILE, `${REQUEST_FILE}.taken`].some((f) => {
      try {
        return this.options.now() - statSync(join(dir, f)).mtimeMs < STALE_REQUEST_MS;
      } catch {
        return false;
      }
    });
  }

  async update(params: UpdateParams, envelope: SignedEnvelope, reply: ReplyRoute): Promise<CommandResult> {
    const o = this.options;
    const refused = this.refusal(params);
    if (refused !== undefined) return refused;
    this.busy = true;
    try {
      const dir = updateDir(o.stateDir);
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      const bundle = join(dir, BUNDLE_FILE);
      const started = o.now();
      o.logger.info({ from: o.version, to: params.version, url: params.url, size: params.size }, 'software update: downloading');
      let sha: string;
      try {
        sha = await download({ url: params.url, file: bundle, size: params.size, timeoutMs: o.downloadTimeoutMs ?? 600_000 });
      } catch (err) {
        const code = err instanceof HearthError && err.code === 'UPDATE_SIZE' ? 'size_mismatch' : 'download_failed';
        return { ok: false, code, message: (err as Error).message, data: { from: o.version, to: params.version } };
      }
      if (sha !== params.sha256) {
        return { ok: false, code: 'sha256_mismatch', message: `the download's SHA-256 is ${sha}, the signed one ${params.sha256}; not installing it`, data: { from: o.version, to: params.version } };
      }
      // Again: the download took a while, and a fire alarm may have started meanwhile.
      const late = this.refusal(params, false);
      if (late !== undefined) return late;
      const request: UpdateRequest = { v: 1, envelope, bundle, from: o.version, to: params.version, requestedAt: o.now(), reply };
      writeFileAtomic(join(dir, REQUEST_FILE), `${JSON.stringify(request)}\n`, 0o640);
      o.logger.warn({ from: o.version, to: params.version, downloadMs: o.now() - started }, 'software update: bundle verified and handed to the updater; hearth restarts onto it');
      return { ok: true, code: 'update_staged', message: `bundle ${params.version} verified; installing (the outcome follows from the release that runs next)`, data: { from: o.version, to: params.version } };
    } finally {
      this.busy = false;
    }
  }

  private refusal(params: UpdateParams, checkBusy = true): CommandResult | undefined {
    const o = this.options;
    const data = { from: o.version, to: params.version };
    let fire: number;
    try {
      fire = o.activeFireAlarms();
    } catch {
      fire = 1; // cannot tell: an update can wait, a silenced sounder cannot be undone
    }
    if (fire > 0) return { ok: false, code: 'fire_alarm_active', message: `${fire} fire alarm(s) active: no software update until none is`, data };
    if (params.version === o.version) return { ok: false, code: 'same_version', message: `${o.version} is already running`, data };
    if (checkBusy && this.inProgress()) return { ok: false, code: 'update_in_progress', message: 'another software update is under way on this gateway', data };
    return undefined;
  }
}
