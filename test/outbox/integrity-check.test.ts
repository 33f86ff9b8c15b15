import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { IntegrityChecker, checkIntegrity } from '../../src/outbox/integrity-check.js';
import { tempDir } from './fixtures.js';

t.test('the worker tells a sound file, a missing one, garbage and a damaged b-tree apart', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.db');
  const db = new Database(good);
  db.exec('CREATE TABLE r (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX rv ON r (v);');
  const ins = db.prepare('INSERT INTO r (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) ins.run(`value ${i} ${'x'.repeat(50)}`);
  })();
  db.close();
  t.same(await checkIntegrity(good), { verdict: 'ok' });
  t.same(await checkIntegrity(join(dir, 'none.db')), { verdict: 'missing' });
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, Buffer.alloc(8192, 0x5a));
  t.match(await checkIntegrity(junk), { verdict: 'corrupt', salvage: { events: [], error: /SQLITE_NOTADB/ } }, 'a corrupt verdict carries what could be salvaged');
  const checkOnly = new IntegrityChecker(60_000, false);
  t.teardown(() => checkOnly.close());
  t.notOk('salvage' in (await checkOnly.check(junk)), 'without salvage limits the worker only checks');

  // Overwrite a page in the middle of the table: the header still says SQLite, the b-tree is broken.
  const bytes = readFileSync(good);
  bytes.fill(0xff, 4096 * 20 + 100, 4096 * 20 + 3000);
  const broken = join(dir, 'broken.db');
  writeFileSync(broken, bytes);
  const checker = new IntegrityChecker();
  t.teardown(() => checker.close());
  t.match(await checker.check(broken), { verdict: 'corrupt' });
  t.same(await checker.check(good), { verdict: 'ok' }, 'the same worker serves the next check');
});
