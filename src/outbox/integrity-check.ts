import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * SQLite's integrity check of the outbox file, run in a worker thread. On a half-gigabyte file on
 * an SD card the check reads every page and takes seconds to minutes; on the event loop that
 * would stop detection, sirens and the watchdog for as long. The worker opens its own read-only
 * handle; the caller must not hold one that is failing (after a fault it has closed it).
 */
export type IntegrityVerdict =
  | { verdict: 'ok' }
  /** No file yet: nothing to check (a fresh outbox will be made). */
  | { verdict: 'missing' }
  | { verdict: 'corrupt'; detail: string }
  /** The check itself could not read the file (an I/O error, a lock): try again later. */
  | { verdict: 'unreadable'; code: string; detail: string };

const require = createRequire(import.meta.url);

// Plain JavaScript: a worker started from source does not go through any TypeScript loader.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
parentPort.on('message', ({ path }) => {
  let db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check(5)');
    const text = rows.map((r) => r.integrity_check).join('; ');
    parentPort.postMessage(rows.length === 1 && text === 'ok' ? { verdict: 'ok' } : { verdict: 'corrupt', detail: text });
  } catch (err) {
    const code = String((err && err.code) || 'UNKNOWN');
    const corrupt = /^SQLITE_(CORRUPT|NOTADB)/.test(code);
    parentPort.postMessage(corrupt ? { verdict: 'corrupt', detail: String(err.message) } : { verdict: 'unreadable', code, detail: String(err.message) });
  } finally {
    try { if (db) db.close(); } catch (e) { /* the verdict is already sent */ }
  }
});
`;

/**
 * One worker for the length of a storage fault: starting a thread costs the event loop a few
 * milliseconds, so it is started once and reused for every retry, and closed when the fault ends.
 */
export class IntegrityChecker {
  private worker: Worker | undefined;
  private pending: ((v: IntegrityVerdict) => void) | undefined;

  constructor(private readonly timeoutMs = 10 * 60_000) {}

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
      worker.postMessage({ path });
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
