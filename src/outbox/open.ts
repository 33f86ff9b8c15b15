import { mkdirSync } from 'node:fs';
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
import { applyPragmas, migrate } from './schema.js';

export interface Opened {
  db: Db;
  /** Rows per priority and destination masks. */
  counts: MaskCount[];
  /** Bit per configured destination. */
  bits: Map<string, number>;
  /** Destinations no longer configured, released at this open (destinations.ts). */
  retired: RetiredDestination[];
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
  mkdirSync(dirname(path), { recursive: true });
  try {
    if (integrity === 'corrupt') throw corrupt('integrity check failed (checked before opening)');
    const opened = tryOpen(path, routes, integrity === undefined && isSuspect(path));
    clearSuspect(path);
    return opened;
  } catch (err) {
    if (!isUnreadableFile(err)) throw err;
    const reason = String((err as { code?: unknown }).code ?? 'unreadable');
    const to = moveAside(path);
    const salvagedSeq = salvageSequence(to);
    const report = (integrity === 'corrupt' ? salvaged : undefined) ?? readEvents(to);
    const opened = tryOpen(path, routes, false);
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
    return { ...opened, movedAside: { to, reason, salvagedSeq, salvage } };
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

function tryOpen(path: string, routes: Routes, fullCheck: boolean): Opened {
  const db = new Database(path);
  try {
    applyPragmas(db);
    if (fullCheck) checkIntegrity(db);
    migrate(db);
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
