import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SALVAGE_LIMITS, salvageEvents, type SalvageLimits, type SalvageReport } from './salvage.js';

/**
 * SQLite's integrity check of the outbox file, run in a worker thread. On a half-gigabyte file on
 * an SD card the check reads every page and takes seconds to minutes; on the event loop that
 * would stop detection, sirens and the watchdog for as long. The worker opens its own read-only
 * handle; the caller must not hold one that is failing (after a fault it has closed it). A file
 * found corrupt is also read for its events in the worker (salvage.ts), for the same reason: the
 * verdict carries them, bounded by SalvageLimits, to the open that moves the file aside.
 */
export type IntegrityVerdict =
  | { verdict: 'ok' }
  /** No file yet: nothing to check (a fresh outbox will be made). */
  | { verdict: 'missing' }
  /** `salvage` is absent only if reading the events failed in the worker (open.ts then reads them). */
  | { verdict: 'corrupt'; detail: string; salvage?: SalvageReport }
  /** The check itself could not read the file (an I/O error, a lock): try again later. */
  | { verdict: 'unreadable'; code: string; detail: string };

const require = createRequire(import.meta.url);

// Plain JavaScript: a worker started from source does not go through any TypeScript loader. The
// salvage function is self-contained for this reason; its (compiled) source text is pasted in.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const salvageEvents = (${salvageEvents.toString()});
parentPort.on('message', ({ path, salvage }) => {
  let db;
  let verdict;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check(5)');
    const text = rows.map((r) => r.integrity_check).join('; ');
    verdict = rows.length === 1 && text === 'ok' ? { verdict: 'ok' } : { verdict: 'corrupt', detail: text };
  } catch (err) {
    const code = String((err && err.code) || 'UNKNOWN');
    const corrupt = /^SQLITE_(CORRUPT|NOTADB)/.test(code);
    verdict = corrupt ? { verdict: 'corrupt', detail: String(err.message) } : { verdict: 'unreadable', code, detail: String(err.message) };
  } finally {
    try { if (db) db.close(); } catch (e) { /* the verdict is taken */ }
  }
  if (verdict.verdict === 'corrupt' && salvage) {
    try { verdict.salvage = salvageEvents(Database, path, salvage); } catch (e) { /* open.ts reads them instead */ }
  }
  parentPort.postMessage(verdict);
});
`;

/**
 * One worker for the length of a storage fault: starting a thread costs the event loop a few
 * milliseconds, so it is started once and reused for every retry, and closed when the fault ends.
 */
export class IntegrityChecker {
  private worker: Worker | undefined;
  private pending: ((v: IntegrityVerdict) => void) | undefined;

  constructor(
    /** The check and the salvage of a corrupt file together. */
    private readonly timeoutMs = 10 * 60_000,
    /** Bounds on reading the events of a corrupt file; `false` checks only. */
    private readonly salvage: SalvageLimits | false = SALVAGE_LIMITS,
  ) {}

  /** Runs the check off the event loop; never rejects. One check at a time. */
  check(path: string): Promise<IntegrityVerdict> {
    // Nothing to check costs no thread.
    if (!existsSync(path)) return Promise.resolve({ verdict: 'missing' });
    if (this.pending !== undefined) return Promise.resolve({ verdict: 'unreadable', code: 'BUSY', detail: 'a check is already running' });
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (err) {
      return Promise.resolve({ verdict: 'unreadable', code: 'WORKER', detail: (err as Error).message });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.fail({ verdict: 'unreadable', code: 'TIMEOUT', detail: `integrity check took longer than ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      timer.unref();
      this.pending = (v) => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(v);
      };
      worker.postMessage({ path, salvage: this.salvage });
    });
  }

  close(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) void w.terminate().catch(() => undefined);
    this.pending?.({ verdict: 'unreadable', code: 'CLOSED', detail: 'checker closed' });
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const w = new Worker(SOURCE, { eval: true, workerData: { sqlite: require.resolve('better-sqlite3') } });
    w.unref();
    w.on('message', (v: IntegrityVerdict) => this.pending?.(v));
    w.on('error', (err) => this.fail({ verdict: 'unreadable', code: 'WORKER', detail: err.message }));
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
      this.pending?.({ verdict: 'unreadable', code: 'WORKER', detail: 'the checker thread ended' });
    });
    this.worker = w;
    return w;
  }

  /** A stuck or broken worker is replaced by a fresh one at the next check. */
  private fail(v: IntegrityVerdict): void {
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) void w.terminate().catch(() => undefined);
    this.pending?.(v);
  }
}

/** A one-off check (tools, tests): starts a worker, checks, stops it. */
export async function checkIntegrity(path: string): Promise<IntegrityVerdict> {
  const checker = new IntegrityChecker();
  try {
    return await checker.check(path);
  } finally {
    checker.close();
  }
}
