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
const { existsSync } = require('node:fs');
const Database = require(workerData.sqlite);
if (!existsSync(workerData.path)) {
  parentPort.postMessage({ verdict: 'missing' });
} else {
  let db;
  try {
    db = new Database(workerData.path, { readonly: true, fileMustExist: true });
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
}
`;

/** Runs the check off the event loop; never rejects. */
export function checkIntegrity(path: string, timeoutMs = 10 * 60_000): Promise<IntegrityVerdict> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: IntegrityVerdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    };
    let worker: Worker;
    try {
      worker = new Worker(SOURCE, { eval: true, workerData: { path, sqlite: require.resolve('better-sqlite3') } });
    } catch (err) {
      resolve({ verdict: 'unreadable', code: 'WORKER', detail: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      void worker.terminate().catch(() => undefined);
      done({ verdict: 'unreadable', code: 'TIMEOUT', detail: `integrity check took longer than ${timeoutMs} ms` });
    }, timeoutMs);
    timer.unref();
    worker.once('message', (v: IntegrityVerdict) => done(v));
    worker.once('error', (err) => done({ verdict: 'unreadable', code: 'WORKER', detail: err.message }));
    worker.once('exit', (code) => done({ verdict: 'unreadable', code: 'WORKER', detail: `check ended (exit ${code}) without a verdict` }));
  });
}
