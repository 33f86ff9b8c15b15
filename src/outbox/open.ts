import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { MaskCount } from './depth.js';
import { registerDestinations, type RetiredDestination } from './destinations.js';
import type { Logger } from './logger.js';
import { countByMask } from './records.js';
import { checkIntegrity, clearSuspect, isSuspect, isUnreadableFile, markSuspect, moveAside, moveBack, salvageSequence } from './recovery.js';
import { SALVAGE_LIMITS, salvageEvents, type SalvageReport } from './salvage.js';
import { emptySalvage, storeSalvaged, type SalvageSummary } from './salvage-store.js';
import { maskOf, type Routes } from './routing.js';
import { backupBeforeMigration } from './migration-backup.js';
import { applyPragmas, migrate, truncateLog } from './schema.js';
import type { FileBefore } from './sequence-start.js';
import { matchFolderOwner, mkdirOwned } from '../storage/state-owner.js';

export interface Opened {
  db: Db;
  /** Rows per priority and destination masks. */
  counts: MaskCount[];
  /** Bit per configured destination. */
  bits: Map<string, number>;
  /** Destinations no longer configured, released at this open (destinations.ts). */
  retired: RetiredDestination[];
  /** What was at the path before this open: nothing, an empty (0-byte) file, or a file. */
  before: FileBefore;
  /** Set when the file at `path` was unreadable and a fresh one was started. */
  movedAside?: { to: string; reason: string; salvagedSeq: number | undefined; salvage: SalvageSummary };
}

/**
 * Opens the outbox file; a file that is corrupt, not a database, or of an unknown schema version is
 * moved aside (renamed with a timestamp, never deleted) and a fresh one is started, so the daemon
 * never refuses to start because of its own queue. The events SQLite can still read from it go into
 * the fresh file first (salvage.ts). I/O errors and a full disk are NOT treated as corruption: they
 * propagate (the caller holds records in memory and tries again), the file is left alone.
 * `integrity` is the verdict of a check already run elsewhere (integrity-check.ts); with `corrupt`,
 * `salvaged` is what that check read from the file, off the event loop. Without it the events are
 * read here, synchronously: at start that is before detection runs.
 */
export function openDatabase(path: string, logger: Logger, routes: Routes, integrity?: 'ok' | 'corrupt', salvaged?: SalvageReport): Opened {
  mkdirOwned(dirname(path));
  const before = fileBefore(path);
  try {
    if (integrity === 'corrupt') throw corrupt('integrity check failed (checked before opening)');
    const opened = tryOpen(path, routes, integrity === undefined && isSuspect(path), logger);
    clearSuspect(path);
    return { ...opened, before };
  } catch (err) {
    if (!isUnreadableFile(err)) throw err;
    const reason = String((err as { code?: unknown }).code ?? 'unreadable');
    const to = moveAside(path);
    const salvagedSeq = salvageSequence(to);
    const report = (integrity === 'corrupt' ? salvaged : undefined) ?? readEvents(to);
    const opened = tryOpen(path, routes, false, logger);
    let salvage: SalvageSummary;
    try {
      salvage = storeSalvaged(opened.db, report, (e) => maskOf(routes.eventTargets(e), opened.bits));
      opened.counts = countByMask(opened.db);
    } catch (storeErr) {
      // The fresh file cannot take them (a full disk): put the old file back, so the next attempt
      // salvages again instead of starting from a fresh file without its events.
      opened.db.close();
      moveBack(to, path);
      markSuspect(path);
      throw storeErr;
    }
    logger.error({ err, movedTo: to, salvagedSeq, salvage }, 'outbox file unreadable; moved aside, starting a fresh outbox with the events it still held');
    clearSuspect(path);
    return { ...opened, before, movedAside: { to, reason, salvagedSeq, salvage } };
  }
}

/** The salvage never throws out of open: a file nothing can be read from gives nothing. */
function readEvents(file: string): SalvageReport {
  try {
    return salvageEvents(Database, file, SALVAGE_LIMITS);
  } catch (err) {
    return emptySalvage(String((err as Error).message));
  }
}

function corrupt(message: string): Error {
  return Object.assign(new Error(message), { code: 'SQLITE_CORRUPT' });
}

/** An empty file is told apart from a missing one: SQLite opens both as a fresh database. */
function fileBefore(path: string): FileBefore {
  try {
    return statSync(path).size === 0 ? 'empty' : 'present';
  } catch {
    return 'missing';
  }
}

/**
 * Run as root (`sudo hearth run` while commissioning), the file would be root's and the service
 * could not write it afterwards: it goes to the folder's owner before the first write, and SQLite
 * gives its -wal and -shm the database file's owner when it creates them as root. Best effort.
 */
function matchOwner(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      if (existsSync(path + suffix)) matchFolderOwner(path + suffix, dirname(path));
    } catch {
      // the service reports a file it cannot write as a storage fault
    }
  }
}

function tryOpen(path: string, routes: Routes, fullCheck: boolean, logger: Logger): Omit<Opened, 'before'> {
  const db = new Database(path);
  matchOwner(path);
  try {
    applyPragmas(db);
    if (fullCheck) checkIntegrity(db);
    backupBeforeMigration(db, path, logger);
    migrate(db);
    truncateLog(db);
    const { bits, retired } = registerDestinations(db, routes.ids());
    const counts = countByMask(db);
    db.prepare('SELECT COUNT(*) FROM meta').get();
    return { db, counts, bits, retired };
  } catch (err) {
    // Do not leave a half-open handle (and its file lock) behind a failed open.
    if (db.open) db.close();
    throw err;
  }
}
