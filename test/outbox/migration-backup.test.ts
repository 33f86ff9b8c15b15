import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { backupBeforeMigration, backupPath } from '../../src/outbox/migration-backup.js';
import { GATEWAY, tempDir } from './fixtures.js';

/** A schema-2 file (before several destinations) holding two records. */
function writeVersion2(path: string): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, priority INTEGER NOT NULL, device_id TEXT NOT NULL,
      seq INTEGER NOT NULL, created_at INTEGER NOT NULL, bytes INTEGER NOT NULL, payload TEXT NOT NULL, epoch INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX records_send_order ON records (priority, id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE clock_epochs (epoch INTEGER PRIMARY KEY, boot_id TEXT NOT NULL, origin_ms REAL NOT NULL);
    CREATE TABLE clock_sync (boot_id TEXT PRIMARY KEY, wall_minus_boot REAL NOT NULL) WITHOUT ROWID;
    INSERT INTO records (kind, priority, device_id, seq, created_at, bytes, payload) VALUES ('event', 0, 'd1', 1, 1, 2, '{}'), ('reading', 2, 'd1', 2, 1, 2, '{}');
  `);
  db.pragma('user_version = 2');
  db.close();
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

t.test('opening a schema-2 outbox writes a schema-2 copy beside it before migrating to 4', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'outbox.db');
  writeVersion2(path);
  const outbox = Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5 });
  await outbox.close();
  const copy = backupPath(path, 2);
  t.ok(existsSync(copy), 'outbox.db.schema-2.bak');
  t.notOk(existsSync(`${copy}.tmp`), 'no temp file left');
  const old = new Database(copy, { readonly: true });
  t.equal(old.pragma('user_version', { simple: true }), 2, 'the copy is the file as it was');
  t.equal((old.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n, 2, 'with its records');
  old.close();
  const now = new Database(path, { readonly: true });
  t.equal(now.pragma('user_version', { simple: true }), 4, 'the file itself is migrated');
  now.close();

  // A file already at the current version, or a new one, is not copied again.
  const db = new Database(path);
  t.same(backupBeforeMigration(db, path, silent), { state: 'not-needed' });
  db.close();
  const fresh = new Database(join(dir, 'fresh.db'));
  t.same(backupBeforeMigration(fresh, join(dir, 'fresh.db'), silent), { state: 'not-needed' });
  fresh.close();
});

t.test('a backup that cannot be written does not stop the migration; the skip is logged', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'outbox.db');
  writeVersion2(path);
  // The copy would go into a folder that does not exist: VACUUM INTO cannot create it.
  const warnings: string[] = [];
  const db = new Database(path);
  const result = backupBeforeMigration(db, join(dir, 'no-such-dir', 'outbox.db'), { ...silent, warn: (_o: object, m?: string) => void warnings.push(m ?? '') });
  db.close();
  t.equal(result.state, 'skipped');
  t.match(warnings.join('\n'), /migrating without one/);
});
