import type { Database } from 'better-sqlite3';
import { UnknownSchemaError } from './recovery.js';

/** `meta` key: the highest row id a file of schema version 3 or older had handed out (DDL_V4). */
export const ID_FLOOR_KEY = 'records_id_floor';

/** Bumped on every schema change; migrate() brings older files forward. */
export const SCHEMA_VERSION = 4;

/**
 * One table for every record that waits for a destination. `priority` + `id` is the send order.
 * Version 1 made `id` AUTOINCREMENT; version 4 rebuilds the table without it (below). `payload` is
 * the model object as JSON, not an encoded message: the codec runs at send time, so changing the
 * wire format needs no migration. `meta` holds small durable counters (the sequence high-water
 * mark).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS records (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT    NOT NULL CHECK (kind IN ('event', 'reading')),
  priority   INTEGER NOT NULL,
  device_id  TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  payload    TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS records_send_order ON records (priority, id);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Page size of a new outbox file (an existing file keeps its own). An event's commit writes whole
 * pages to the log (the table's leaf, the send-order index's leaf; before schema version 4 also
 * the AUTOINCREMENT counter's page) and is fsynced alone: on flash every commit costs the pages it
 * touches. Measured on ext4 (bytes the process sent to storage, /proc/self/io), with the counter:
 * an alarm inserted and later deleted cost 17.6 KB with 4096-byte pages, 11.4 KB with 2048, 8.3 KB
 * with 1024 and 6.7 KB with 512; a reading spilled in a batch of 150 costs 690, 620 and 650 bytes
 * with 4096, 2048 and 1024. 1024 halves what an event writes. Small pages put a 4 MiB log past the
 * first block of the log's index, which on a full disk after an unclean stop turned SQLITE_FULL
 * into SQLITE_IOERR_SHMSIZE: the open truncates the log for that (truncateLog below). The ballast
 * (storage-pressure.ts) is sized from the page size and the auto-checkpoint, whatever they are.
 */
export const PAGE_SIZE = 1024;

/** Size of the write-ahead log at which it is checkpointed into the database file. */
const AUTOCHECKPOINT_BYTES = 4 * 1024 * 1024;

/**
 * WAL: a commit appends to the log instead of rewriting pages, readers never block the writer.
 * synchronous=FULL: in WAL mode the log is fsynced at every commit, so a committed record
 * survives power loss (NORMAL would only survive a process crash). Never OFF.
 */
export function applyPragmas(db: Database): void {
  // Only a new file takes it: an existing file keeps its page size (changing it rewrites the file).
  db.pragma(`page_size = ${PAGE_SIZE}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') throw new Error(`outbox: journal_mode is ${String(mode)}, expected wal`);
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Checkpoint when the log holds 4 MiB, whatever the page size of the file (SQLite counts pages:
  // its default of 1000 is 1 MiB with 1024-byte pages). A larger log rewrites the database's hot
  // pages (the index's and the table's last leaves) less often: with 1024-byte pages a spilled
  // reading measured 582 bytes written with a 4 MiB log, 648 with 1 MiB. The ballast for a full
  // disk is sized on it (storage-pressure.ts).
  db.pragma(`wal_autocheckpoint = ${Math.round(AUTOCHECKPOINT_BYTES / Number(db.pragma('page_size', { simple: true })))}`);
  // Keep the log from staying large after a checkpoint that followed a long outage.
  db.pragma('journal_size_limit = 67108864');
}

/**
 * At open, after SQLite recovered the log: the log is copied into the database and truncated to 0
 * bytes. Why: the log's index (the `-shm` file) is created anew at the first open, sized for the
 * frames found in the log, and a block of it covers 4062 frames; going past that, SQLite grows the
 * `-shm` file, and on a full disk that fails as SQLITE_IOERR_SHMSIZE, an I/O error (a storage
 * fault), not the SQLITE_FULL the reserve absorbs (full-disk.ts). While the log file is no longer
 * than its frames, the log itself needs new blocks first and fails cleanly with SQLITE_FULL. An
 * unclean stop leaves a log file longer than its valid frames (after a checkpoint it is rewritten
 * from its start and keeps its size): with 1024-byte pages a 4 MiB log is past the index's first
 * block, so after a power cut the next commits could run into the index's growth on a full disk.
 * A clean close truncates the log already; this costs nothing then. On a full disk the checkpoint
 * may not fit: the open goes on (the log stays as it is).
 */
export function truncateLog(db: Database): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
  }
}

/**
 * Version 2: clock integrity. Each process run that opens the file is a clock epoch (its monotonic
 * time has its own origin); a record remembers its epoch, and `clock_epochs` / `clock_sync` hold
 * what is needed to turn an unsynchronized record's monotonic time into wall time once the clock is
 * known (docs/outbox.md, "Clock integrity").
 */
const DDL_V2 = `
ALTER TABLE records ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS clock_epochs (
  epoch     INTEGER PRIMARY KEY,
  boot_id   TEXT    NOT NULL,
  origin_ms REAL    NOT NULL
);
CREATE TABLE IF NOT EXISTS clock_sync (
  boot_id        TEXT PRIMARY KEY,
  wall_minus_boot REAL NOT NULL
) WITHOUT ROWID;
`;

/**
 * Version 3: several destinations. A record carries the bitmask of the destinations that have not
 * confirmed it yet (`pending`) and of those that set it aside after a refusal (`parked`); it is
 * deleted when `pending` reaches 0. `destinations` names the bits. Version 2 files knew only the
 * platform (bit 0) and parked a record by adding 3 to its priority: those rows get their priority
 * back and parked bit 0. The send-order index carries the masks, so a destination's leasing and
 * the counts at open read the index alone; parked rows, rare, have their own small index.
 */
const DDL_V3 = `
ALTER TABLE records ADD COLUMN pending INTEGER NOT NULL DEFAULT 1;
ALTER TABLE records ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
UPDATE records SET parked = 1, priority = priority - 3 WHERE priority >= 3;
DROP INDEX IF EXISTS records_send_order;
CREATE INDEX records_send_order ON records (priority, id, pending, parked);
CREATE INDEX records_parked ON records (id) WHERE parked != 0;
CREATE TABLE destinations (
  bit INTEGER PRIMARY KEY CHECK (bit BETWEEN 0 AND 30),
  id  TEXT    NOT NULL UNIQUE
);
INSERT INTO destinations (bit, id) VALUES (0, 'platform');
`;

/**
 * Version 4: `records` without AUTOINCREMENT. Row ids are handed out by the outbox itself
 * (records.ts), above every id in the table, so SQLite's counter only cost a page (the
 * `sqlite_sequence` row) written in every event's commit. The table is rebuilt (SQLite cannot drop
 * AUTOINCREMENT in place) with the same columns and indexes, every row keeping its id; the old
 * counter is kept in `meta` (`records_id_floor`) so that the first run after the migration still
 * hands out ids above every one the file ever used. Ids are lease handles within one run
 * (docs/outbox.md, "Table layout"); after that, a later run may reuse the id of a deleted row.
 */
const DDL_V4 = `
CREATE TABLE records_v4 (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL CHECK (kind IN ('event', 'reading')),
  priority   INTEGER NOT NULL,
  device_id  TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  payload    TEXT    NOT NULL,
  epoch      INTEGER NOT NULL DEFAULT 0,
  pending    INTEGER NOT NULL DEFAULT 1,
  parked     INTEGER NOT NULL DEFAULT 0
);
INSERT OR REPLACE INTO meta (key, value) VALUES ('${ID_FLOOR_KEY}', MAX(
  COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'records'), 0),
  COALESCE((SELECT MAX(id) FROM records), 0)));
INSERT INTO records_v4 (id, kind, priority, device_id, seq, created_at, bytes, payload, epoch, pending, parked)
  SELECT id, kind, priority, device_id, seq, created_at, bytes, payload, epoch, pending, parked FROM records ORDER BY id;
DROP TABLE records;
ALTER TABLE records_v4 RENAME TO records;
CREATE INDEX records_send_order ON records (priority, id, pending, parked);
CREATE INDEX records_parked ON records (id) WHERE parked != 0;
`;

export function migrate(db: Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SCHEMA_VERSION) {
    throw new UnknownSchemaError(`outbox: file has schema version ${version}, this build knows ${SCHEMA_VERSION}`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) db.exec(DDL);
    if (version < 2) db.exec(DDL_V2);
    if (version < 3) db.exec(DDL_V3);
    if (version < 4) db.exec(DDL_V4);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
