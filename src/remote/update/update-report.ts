import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../log/logger.js';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import type { CommandResult, PlatformCommand } from '../../uplink/codec.js';
import type { AuditEntry } from '../audit-log.js';
import { CONNECTED_FILE, RESULT_FILE, updateDir, type ConnectedMarker, type UpdateResult } from './update-files.js';

export interface UpdateReporterOptions {
  stateDir: string;
  version: string;
  /** True once the uplink has connected since this process started. */
  reachedPlatform: () => boolean;
  /** Publishes a command result on the platform connection (false: not delivered). */
  sendResult: ((command: PlatformCommand, result: CommandResult) => Promise<boolean>) | undefined;
  audit: (entry: AuditEntry) => void;
  now: () => number;
  logger: Logger;
  /** How often the files are looked at (default 2 s: one stat, no writes). */
  everyMs?: number;
}

/**
 * The gateway's side after an update: tells the root updater that this release reached the
 * platform (connected.json, the second half of its "READY and reconnected" test), and reports the
 * updater's result (result.json: installed, rolled back, refused) once, upstream as the answer to
 * the update_software command (same request id, final code) and in the audit log. Whichever
 * release runs reports it: after a rollback that is the old one.
 */
export class UpdateReporter {
  private timer: NodeJS.Timeout | undefined;
  private markerWritten = false;
  private reporting = false;

  constructor(private readonly options: UpdateReporterOptions) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.everyMs ?? 2000);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const o = this.options;
    if (!o.reachedPlatform()) return;
    const dir = updateDir(o.stateDir);
    if (!this.markerWritten) {
      try {
        const marker: ConnectedMarker = { version: o.version, pid: process.pid, at: o.now() };
        writeFileAtomic(join(dir, CONNECTED_FILE), `${JSON.stringify(marker)}\n`, 0o640);
        this.markerWritten = true;
      } catch (err) {
        // No update folder yet: nothing waits for the marker (the updater creates it before restarting).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.logger.warn({ err }, 'software update: cannot write the connected marker');
        else this.markerWritten = true;
      }
    }
    if (!this.reporting) {
      this.reporting = true;
      this.report(dir)
        .catch((err: unknown) => o.logger.error({ err }, 'software update: cannot report the result'))
        .finally(() => (this.reporting = false));
    }
  }

  private async report(dir: string): Promise<void> {
    const o = this.options;
    const file = join(dir, RESULT_FILE);
    let result: UpdateResult;
    try {
      result = JSON.parse(readFileSync(file, 'utf8')) as UpdateResult;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      o.logger.warn({ err }, 'software update: unreadable result file set aside');
      renameSync(file, `${file}.unreadable`);
      return;
    }
    const ok = result.outcome === 'installed';
    const answer: CommandResult = {
      ok,
      code: `update_${result.outcome}`,
      message: result.message,
      data: { outcome: result.outcome, reason: result.code, from: result.from, to: result.to, running: result.running, at: result.at },
    };
    if (result.reply !== undefined && o.sendResult !== undefined) {
      const { id, name, topic, deviceId, replyTo } = result.reply;
      const delivered = await o.sendResult({ id, name, topic, params: {}, ...(deviceId !== undefined ? { deviceId } : {}), ...(replyTo !== undefined ? { replyTo } : {}) }, answer);
      if (!delivered) return; // next tick, on the next connection
    }
    o.audit({
      at: o.now(),
      by: 'updater',
      command: 'update_software',
      id: result.reply?.id ?? `update-${result.at}`,
      params: { from: result.from, to: result.to, running: result.running },
      outcome: ok ? 'done' : result.outcome === 'refused' ? 'rejected' : 'failed',
      code: answer.code,
      message: `${result.code}: ${result.message}`,
    });
    renameSync(file, join(dir, `${RESULT_FILE}.reported`));
    o.logger.warn({ outcome: result.outcome, from: result.from, to: result.to, running: result.running, code: result.code }, 'software update: result reported');
  }
}
