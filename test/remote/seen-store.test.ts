import { createHash } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SEEN_FAULT, SEEN_FILE, SeenStore } from '../../src/remote/seen-store.js';
import { tempDir } from '../outbox/fixtures.js';

const digest = (n: number) => createHash('sha256').update(String(n)).digest('hex');

function faults() {
  const raised: string[] = [];
  return { raised, reporter: { raise: (key: string) => void raised.push(key), clear: () => undefined, active: (key: string) => raised.includes(key) } };
}

t.test('one slot written per command: the file never grows past its capacity, the cost never grows with history', async (t) => {
  const dir = tempDir(t, 'hearth-seen-');
  const store = new SeenStore(dir, { capacity: 32 });
  for (let i = 0; i < 200; i++) t.equal(await store.remember(digest(i), 1000 + i * 10 + 50, 1000 + i * 10), 'ok');
  t.equal(store.writes, 200, 'one write per command');
  t.equal(statSync(join(dir, SEEN_FILE)).size, 32 * 40, 'capacity × 40 bytes, however many commands');
  t.ok(store.has(digest(199), 2990), 'a recent one is remembered');
  t.notOk(store.has(digest(0), 2990), 'an expired one is not');
  await store.close();
  const again = new SeenStore(dir, { capacity: 32 });
  t.ok(again.has(digest(199), 2990), 'remembered across a restart');
  t.ok(again.has(digest(196), 2990));
  t.equal(await again.remember(digest(500), 9000, 3000), 'ok', 'and goes on writing after the newest slot');
  t.ok(again.has(digest(199), 2990), 'without overwriting what still matters');
  await again.close();
});

t.test('when every slot still matters it says full rather than forget', async (t) => {
  const dir = tempDir(t, 'hearth-seen-');
  const store = new SeenStore(dir, { capacity: 4 });
  for (let i = 0; i < 4; i++) t.equal(await store.remember(digest(i), 10_000, 0), 'ok');
  t.equal(await store.remember(digest(9), 10_000, 1), 'full');
  for (let i = 0; i < 4; i++) t.ok(store.has(digest(i), 1), `digest ${i} still remembered`);
  t.equal(await store.remember(digest(9), 20_000, 10_001), 'ok', 'once they expire a slot is free');
  await store.close();
});

t.test('a garbage file is set aside with a fault and the store starts empty; the old JSON file is removed', async (t) => {
  const dir = tempDir(t, 'hearth-seen-');
  writeFileSync(join(dir, SEEN_FILE), 'not slots');
  writeFileSync(join(dir, 'remote-seen.json'), '{"old":1}');
  const f = faults();
  const store = new SeenStore(dir, { capacity: 8, faults: f.reporter });
  t.same(f.raised, [SEEN_FAULT]);
  const files = readdirSync(dir);
  t.ok(files.some((n) => n.startsWith(`${SEEN_FILE}.unreadable-`)), 'set aside, not deleted');
  t.notOk(files.includes('remote-seen.json'));
  t.equal(await store.remember(digest(1), 100, 0), 'ok');
  await store.close();
});
