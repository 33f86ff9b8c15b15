import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { matchFolderOwner } from '../storage/state-owner.js';

/** SQLite result codes that mean "this file cannot be trusted", as opposed to I/O or a full disk. */
const CORRUPTION = /^SQLITE_(CORRUPT|NOTADB)/;

export class UnknownSchemaError extends Error {
  readonly code = 'OUTBOX_SCHEMA_UNKNOWN';
}

/** True for a file that is damaged or not ours: it is moved aside, not retried. */
export function isUnreadableFile(err: unknown): boolean {
  if (err instanceof UnknownSchemaError) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CORRUPTION.test(code);
}

/**
 * A marker left when the running outbox hit corruption: the next start runs a full integrity check
 * (too slow for every start on an SD card) instead of crash-looping on the same damaged page.
 */
export function markSuspect(path: string): void {
  try {
    writeFileSync(`${path}.check`, `${new Date().toISOString()}\n`);
    matchFolderOwner(`${path}.check`, dirname(path));
  } catch {
    // Best effort: the next failure will try again.
  }
}

export function isSuspect(path: string): boolean {
  return existsSync(`${path}.check`);
}

export function clearSuspect(path: string): void {
  rmSync(`${path}.check`, { force: true });
}

/** Throws an SQLITE_CORRUPT-coded error if the integrity check fails. */
export function checkIntegrity(db: Database.Database): void {
  const rows = db.pragma('integrity_check(5)') as { integrity_check: string }[];
  if (rows.length !== 1 || rows[0]?.integrity_check !== 'ok') {
    const err = new Error(`integrity check failed: ${rows.map((r) => r.integrity_check).join('; ')}`) as Error & { code: string };
    err.code = 'SQLITE_CORRUPT';
    throw err;
  }
}

/**
 * Moves the file and its -wal/-shm companions to `<path>.corrupt-<timestamp>` so nothing is
 * deleted (an operator may still salvage it) and a fresh outbox can start. Returns the new name.
 */
export function moveAside(path: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const target = `${path}.corrupt-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}

/**
 * Undoes moveAside(): the fresh file at `path` (which could not take the salvaged events) is
 * removed and the moved-aside file put back, so the next open finds it corrupt again and salvages
 * again. Best effort: if this fails the events are still in the moved-aside file.
 */
export function moveBack(target: string, path: string): void {
  try {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(target + suffix)) renameSync(target + suffix, path + suffix);
    }
  } catch {
    // Nothing else to do: the moved-aside file is never deleted.
  }
}

/**
 * Best effort: the sequence high-water mark of a moved-aside file, so the fresh outbox never hands
 * out a number the platform has seen (it de-duplicates readings on (gateway, seq)).
 */
export function salvageSequence(file: string): number | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare("SELECT value FROM meta WHERE key = 'seq_high_water'").get() as { value: number } | undefined;
    return row?.value;
  } catch {
    return undefined;
  } finally {
    try {
      db?.close();
    } catch {
      // ignore
    }
  }
}
