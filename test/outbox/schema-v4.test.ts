import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { backupPath } from '../../src/outbox/migration-backup.js';
import { PAGE_SIZE } from '../../src/outbox/schema.js';
import { drainAll, fault, fireAlarm, reading, tempDir, GATEWAY } from './fixtures.js';


/**
 * A file as schema version 3 wrote it: `records` with AUTOINCREMENT. Rows 1..6 were inserted and
 * 5 and 6 deleted again, so SQLite's counter (6) is above the highest row (4); row 3 is parked for
 * the platform.
 */
function writeVersion3(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL CHECK (kind IN ('event', 'reading')), priority INTEGER NOT NULL,
      device_id TEXT NOT NULL, seq INTEGER NOT NULL, created_at INTEGER NOT NULL, bytes INTEGER NOT NULL, payload TEXT NOT NULL,
      epoch INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 1, parked INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX records_send_order ON records (priority, id, pending, parked);
    CREATE INDEX records_parked ON records (id) WHERE parked != 0;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE clock_epochs (epoch INTEGER PRIMARY KEY, boot_id TEXT NOT NULL, origin_ms REAL NOT NULL);
    CREATE TABLE clock_sync (boot_id TEXT PRIMARY KEY, wall_minus_boot REAL NOT NULL) WITHOUT ROWID;
    CREATE TABLE destinations (bit INTEGER PRIMARY KEY CHECK (bit BETWEEN 0 AND 30), id TEXT NOT NULL UNIQUE);
    INSERT INTO destinations (bit, id) VALUES (0, 'platform');
    INSERT INTO meta (key, value) VALUES ('seq_high_water', 100000);
  `);
  const insert = db.prepare('INSERT INTO records (kind, priority, device_id, seq, created_at, bytes, payload, parked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const add = (kind: string, priority: number, record: { deviceId: string; seq: number }, parked = 0) => {
    const payload = JSON.stringify(record);
    insert.run(kind, priority, record.deviceId, record.seq, Date.now(), payload.length, payload, parked);
  };
  add('reading', 2, reading(1));
  add('event', 0, fireAlarm(2, { id: 'old-fire' }));
  add('event', 1, fault(3, { id: 'old-parked' }), 1);
  add('reading', 2, reading(4));
  add('event', 1, fault(5, { id: 'gone-1' }));
  add('event', 1, fault(6, { id: 'gone-2' }));
  db.exec('DELETE FROM records WHERE id IN (5, 6)');
  db.pragma('user_version = 3');
  db.close();
}

function rowsIn(path: string): { id: number; kind: string; priority: number; seq: number; pending: number; parked: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, kind, priority, seq, pending, parked FROM records ORDER BY id').all() as ReturnType<typeof rowsIn>;
  } finally {
    db.close();
  }
}

t.test('a schema-3 file is rebuilt without AUTOINCREMENT: every row, id and mask kept, a backup beside it', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  writeVersion3(path);
  const before = rowsIn(path);
  const box = Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, writeBehindMs: 0 });
  t.teardown(() => box.close());
  t.same(rowsIn(path), before, 'the same rows with the same ids, priorities and masks');
  t.same(before.map((r) => r.id), [1, 2, 3, 4]);
  t.ok(existsSync(backupPath(path, 3)), 'the schema-3 file was copied beside it first');

  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('user_version', { simple: true }), 4);
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'records'").pluck().get() as string;
  t.notMatch(sql, /AUTOINCREMENT/i, 'records has no AUTOINCREMENT any more');
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  t.same(indexes, ['records_parked', 'records_send_order'], 'both indexes rebuilt on the new table');
  t.equal(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'records_v4'").pluck().get(), 0, 'no table of the rebuild left over');
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  t.equal(db.pragma('page_size', { simple: true }), 4096, 'an existing file keeps its page size (SQLite default when it was made)');

  // Send order as before: the stored alarm, then the reading backlog; the parked fault stays parked.
  const platform = box.source('platform')!;
  t.same(drainAll(platform).what, ['old-fire', 'r1', 'r4']);
  t.equal(box.stats().parked, 1, 'the parked fault is still parked');
});

t.test('new ids start above every id the file had handed out, including deleted rows; and again after a restart', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  writeVersion3(path);
  let box = Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, writeBehindMs: 0 });
  box.appendEvent(fireAlarm(7, { id: 'new-fire' }));
  box.appendReading(reading(8));
  box.flush();
  const rows = rowsIn(path);
  t.same(rows.map((r) => r.id), [1, 2, 3, 4, 7, 8], 'above the old counter (6), not only above the highest row (4)');
  // New rows go after the old ones in send order: the alarm after the stored one, the reading after the backlog.
  const drained = drainAll(box.source('platform')!);
  t.same(drained.what, ['old-fire', 'new-fire', 'r1', 'r4', 'r8']);
  box.close();

  box = Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, writeBehindMs: 0 });
  t.teardown(() => box.close());
  box.appendEvent(fault(9, { id: 'after-restart' }));
  t.equal(Math.max(...rowsIn(path).map((r) => r.id)), 9, 'a later run continues above the highest row');
});

t.test('a new file is created at schema 4 without AUTOINCREMENT and without a backup', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5 });
  box.appendEvent(fireAlarm(1));
  box.close();
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('user_version', { simple: true }), 4);
  t.notMatch(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'records'").pluck().get() as string, /AUTOINCREMENT/i);
  t.equal(db.pragma('page_size', { simple: true }), PAGE_SIZE, 'a new file takes the outbox page size');
  t.equal(PAGE_SIZE, 1024);
  t.same(db.prepare('SELECT id FROM records').pluck().all(), [1]);
  t.notOk(existsSync(backupPath(path, 0)), 'nothing to back up');
});
