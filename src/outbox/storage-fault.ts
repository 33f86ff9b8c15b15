import type { FaultReporter } from '../faults/gateway-faults.js';
import { ReconnectBackoff } from '../retry/backoff.js';
import type { OutboxClock } from './clock-epochs.js';
import { IntegrityChecker, type IntegrityVerdict } from './integrity-check.js';
import type { Logger } from './logger.js';
import type { SalvageReport } from './salvage.js';

export interface StorageHealth {
  ok: boolean;
  /** Wall time the current fault began. */
  since?: number;
  /** SQLite / errno code of the failure. */
  code?: string;
  message?: string;
  /** Attempts to reopen the file since the fault began. */
  reopenAttempts: number;
  /** Records waiting in memory (not yet in the file). */
  held: number;
  /** Readings dropped from memory during faults since start. */
  droppedReadings: number;
}

export interface StorageFaultOptions {
  /** The outbox file. */
  path: string;
  clock: OutboxClock;
  faults: FaultReporter;
  logger: Logger;
  /** Back-off between attempts to reopen the file. Default 1 s doubling to 60 s, jittered. */
  reopenMinMs?: number;
  reopenMaxMs?: number;
  random?: () => number;
  /** Tests substitute the integrity check (default: in a worker, integrity-check.ts). */
  check?: (path: string) => Promise<IntegrityVerdict>;
}

/** The file the fault is about, as the resilient outbox holds it. */
export interface ReopenTarget {
  /** A working handle is attached: nothing to reopen. */
  attached(): boolean;
  /** Opens the file with the check's verdict (undefined: not checked); attaches it if it works. */
  open(integrity: 'ok' | 'corrupt' | undefined, salvaged: SalvageReport | undefined): void;
}

/** SQLite and errno codes of a full disk: a reopen needs room, not an integrity check. */
const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/**
 * The storage fault's life. The first failure raises a critical fault event; the file is then
 * tried again on a jittered back-off, checked first in a worker thread when the failure could have
 * damaged it (anything but a full disk): on a large file on an SD card the check takes seconds to
 * minutes, which on the event loop would stop detection and the watchdog. Cleared once a handle
 * works again and took what waited in memory.
 */
export class StorageFault {
  private fault: { since: number; code: string; message: string; needsCheck: boolean } | undefined;
  private reopenAttempts = 0;
  private readonly backoff: ReconnectBackoff;
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopening = false;
  private closed = false;
  private checker: IntegrityChecker | undefined;

  constructor(
    private readonly options: StorageFaultOptions,
    private readonly target: ReopenTarget,
  ) {
    this.backoff = new ReconnectBackoff(options.reopenMinMs ?? 1000, options.reopenMaxMs ?? 60_000, options.random);
  }

  active(): boolean {
    return this.fault !== undefined;
  }

  /** `operation` failed with `code`: enters the fault (once) and tries the file again later. */
  enter(operation: string, code: string, err: unknown): void {
    if (this.fault === undefined) {
      const message = `outbox file cannot be written (${code} in ${operation}): alarms and readings are held in memory and still sent; retrying the file`;
      this.fault = { since: this.options.clock.now(), code, message, needsCheck: !FULL.has(code) };
      this.reopenAttempts = 0;
      this.backoff.reset();
      this.options.logger.error({ err, code, operation, path: this.options.path }, 'STORAGE FAULT: outbox cannot be written; holding records in memory');
      this.options.faults.raise('storage', message, { severity: 'critical' });
    } else if (!FULL.has(code)) {
      this.fault.needsCheck = true;
    }
    this.scheduleReopen();
  }

  /** The file works again and took what waited in memory. */
  clear(moved: { events: number; readings: number }): void {
    const f = this.fault;
    if (f === undefined) return;
    this.fault = undefined;
    this.checker?.close();
    this.checker = undefined;
    this.backoff.reset();
    const downMs = this.options.clock.now() - f.since;
    this.options.logger.info({ downMs, events: moved.events, readings: moved.readings, attempts: this.reopenAttempts }, 'outbox writable again; held records stored');
    this.options.faults.clear('storage', `outbox writable again after ${Math.round(downMs / 1000)} s; ${moved.events} events and ${moved.readings} readings held in memory were stored`);
  }

  health(held: number, droppedReadings: number): StorageHealth {
    const f = this.fault;
    const h: StorageHealth = { ok: f === undefined, reopenAttempts: this.reopenAttempts, held, droppedReadings };
    if (f !== undefined) Object.assign(h, { since: f.since, code: f.code, message: f.message });
    return h;
  }

  /** No more reopening (the outbox is closing). */
  close(): void {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    this.checker?.close();
  }

  private scheduleReopen(): void {
    if (this.closed || this.reopenTimer !== undefined || this.reopening) return;
    const delay = this.backoff.next();
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      void this.reopen().catch((err: unknown) => {
        this.options.logger.error({ err }, 'outbox: reopen failed unexpectedly');
        this.scheduleReopen();
      });
    }, delay);
    this.reopenTimer.unref?.();
  }

  private async reopen(): Promise<void> {
    if (this.closed || this.target.attached() || this.fault === undefined) return;
    this.reopening = true;
    this.reopenAttempts++;
    let integrity: 'ok' | 'corrupt' | undefined;
    let salvaged: SalvageReport | undefined;
    try {
      if (this.fault.needsCheck) {
        const check = this.options.check ?? ((path: string) => (this.checker ??= new IntegrityChecker()).check(path));
        const v = await check(this.options.path);
        if (v.verdict === 'unreadable') {
          this.options.logger.warn({ code: v.code, detail: v.detail, attempt: this.reopenAttempts }, 'outbox: file still unreadable');
          return;
        }
        integrity = v.verdict === 'corrupt' ? 'corrupt' : 'ok';
        if (v.verdict === 'corrupt') {
          // The checker also read the file's events (off the event loop): they go into the fresh file.
          salvaged = v.salvage;
          this.options.logger.error({ detail: v.detail, salvagedEvents: salvaged?.events.length, lostEvents: salvaged?.lostEvents }, 'outbox: integrity check failed; the file is moved aside');
        }
      }
      if (this.closed) return;
      this.target.open(integrity, salvaged);
    } finally {
      this.reopening = false;
      if (!this.target.attached() && !this.closed) this.scheduleReopen();
    }
  }
}
