import { renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from './logger.js';
import { SCHEMA_VERSION } from './schema.js';

/** Room left on the file system after the copy: the migration itself and the WAL need space too. */
const MARGIN_BYTES = 16 * 1024 * 1024;

export type BackupResult =
  | { state: 'not-needed' }
  | { state: 'written'; to: string; bytes: number }
  | { state: 'skipped'; reason: string };

/** `outbox.db` at schema 2 -> `outbox.db.schema-2.bak`: one copy per old version, the newest kept. */
export function backupPath(path: string, fromVersion: number): string {
  return `${path}.schema-${fromVersion}.bak`;
}

/**
 * Migrations are forward-only: a file migrated to a newer schema is one an older release cannot
 * read (it would move it aside as an unknown version). So before an older file is altered, a
 * consistent copy of it is written beside it with `VACUUM INTO` (compact: no free pages, no WAL),
 * through a temp name and a rename so a crash never leaves half a backup under the final name.
 * That copy is what an installer restores after rolling back to the previous release
 * (docs/outbox.md, "Upgrades and rollback").
 *
 * When the file system has no room for the copy plus a margin, the migration goes ahead without
 * it: the migration is one transaction (the file is either old or migrated, never half), and a
 * gateway that refused to open its queue would detect but not report. The skip is logged.
 */
export function backupBeforeMigration(db: Database, path: string, logger: Logger): BackupResult {
  const version = Number(db.pragma('user_version', { simple: true }));
  // 0 is a new, empty file; newer than this build is refused by migrate() itself.
  if (version === 0 || version >= SCHEMA_VERSION || path === ':memory:' || path === '') return { state: 'not-needed' };
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const used = (Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }))) * pageSize;
  const to = backupPath(path, version);
  const free = freeBytes(dirname(path));
  if (free !== undefined && free < used + MARGIN_BYTES) {
    const reason = `${free} bytes free, the copy needs ${used} + ${MARGIN_BYTES}`;
    logger.warn({ fromVersion: version, toVersion: SCHEMA_VERSION, reason }, 'outbox: no room for a backup before the schema migration; migrating without one');
    return { state: 'skipped', reason };
  }
  const tmp = `${to}.tmp`;
  try {
    rmSync(tmp, { force: true });
    db.prepare('VACUUM INTO ?').run(tmp);
    renameSync(tmp, to);
  } catch (err) {
    rmSync(tmp, { force: true });
    const reason = String((err as Error).message);
    logger.warn({ err, fromVersion: version, toVersion: SCHEMA_VERSION }, 'outbox: backup before the schema migration failed; migrating without one');
    return { state: 'skipped', reason };
  }
  const bytes = statSync(to).size;
  logger.info({ fromVersion: version, toVersion: SCHEMA_VERSION, backup: to, bytes }, 'outbox: backed up before the schema migration');
  return { state: 'written', to, bytes };
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
