import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import type { IntegrityVerdict } from '../../src/outbox/integrity-check.js';
import { PRIORITY_FIRE } from '../../src/outbox/index.js';
import { fault, fireAlarm, reading, tempDir } from './fixtures.js';
import { failingOpener, store } from './resilient-fixtures.js';

const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };

function rows(path: string): { kind: string; seq: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT kind, seq FROM records ORDER BY id").all() as { kind: string; seq: number }[];
  } finally {
    db.close();
  }
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('healthy: everything goes to the file', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const { s, faults } = store(t, path);
  s.start();
  s.appendReading(reading(s.next()));
  s.appendEvent(fireAlarm(s.next()));
  s.flush();
  t.same(rows(path).map((r) => r.kind), ['reading', 'event']);
  const b = s.nextBatch(LIMITS)!;
  t.equal(b.priority, PRIORITY_FIRE);
  t.ok(b.ids[0]! > 0, 'row ids from the file');
  s.delivered(b.ids);
  s.flush();
  t.equal(rows(path).length, 1);
  t.same(faults.log, []);
  t.ok(s.health().ok);
});

t.test('a failed write: fault raised, the alarm is held in memory and still leased to the uplink, then stored once the file reopens', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const opener = failingOpener();
  const { s, faults } = store(t, path, { openOutbox: opener.open });
  s.start();
  s.appendEvent(fault(s.next()));
  const before = s.next();
  opener.failNextWrite();
  opener.refuseOpen('SQLITE_IOERR'); // the first reopen attempts fail too
  const alarm = fireAlarm(s.next());
  let woken = 0;
  s.onCommitted(() => woken++);
  t.doesNotThrow(() => s.appendEvent(alarm), 'a storage failure never reaches the caller');
  t.same(faults.log, ['raise storage']);
  t.notOk(s.health().ok);
  t.ok(woken > 0, 'the uplink is woken for the held record');
  t.ok(s.stats().storageFault);
  t.equal(s.stats().depth.fire, 1);

  const live = s.nextBatch(LIMITS)!;
  t.equal(live.kind, 'event');
  t.equal(live.kind === 'event' && live.event.id, alarm.id, 'the fire alarm is sent live from memory');
  t.ok(live.ids[0]! < 0, 'memory ids are negative');
  s.delivered(live.ids);
  t.equal(s.stats().depth.fire, 0, 'delivered from memory');

  // While faulted: more records, sequence keeps rising.
  const during = s.next();
  t.ok(during > alarm.seq && alarm.seq > before, 'the sequence never goes back');
  s.appendReading(reading(during));
  s.appendEvent(fault(s.next()));
  t.equal(s.health().held, 2);

  opener.refuseOpen(undefined);
  await until(() => s.health().ok, 'the file to reopen');
  t.same(faults.log, ['raise storage', 'clear storage']);
  t.ok(s.health().reopenAttempts >= 1);
  const stored = rows(path);
  t.ok(stored.some((r) => r.kind === 'reading' && r.seq === during), 'the held reading is now in the file');
  t.equal(s.health().held, 0);
  const after = s.next();
  t.ok(after > during, 'the reopened file continues above what memory handed out');
});

t.test('records leased from the failed handle are not acked into the new one', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'outbox.db');
  const opener = failingOpener();
  let verdict: IntegrityVerdict = { verdict: 'corrupt', detail: 'page 3: btree' };
  const { s } = store(t, path, { openOutbox: opener.open, check: async () => verdict });
  s.start();
  for (let i = 0; i < 3; i++) s.appendEvent(fault(s.next()));
  const leased = s.nextBatch(LIMITS)!;
  opener.failNextWrite();
  s.appendEvent(fireAlarm(s.next()));
  // The file is found corrupt: moved aside, a fresh one started; its row ids start again at 1.
  await until(() => s.health().ok, 'a fresh file');
  verdict = { verdict: 'ok' };
  t.ok(readdirSync(dir).some((f) => f.includes('.corrupt-')), 'the damaged file was moved aside, not deleted');
  const freshRows = rows(path).length;
  t.ok(freshRows >= 1, 'held records and the moved-aside notice are in the fresh file');
  s.delivered(leased.ids); // a late PUBACK for a row of the old file
  s.flush();
  t.equal(rows(path).length, freshRows, 'nothing in the fresh file was deleted by it');
});

t.test('cannot open at start (state directory unusable): starts in a fault, holds records, recovers when it can', async (t) => {
  const dir = tempDir(t);
  const blocker = join(dir, 'state');
  writeFileSync(blocker, 'not a directory');
  const path = join(blocker, 'outbox.db');
  const { s, faults, clock } = store(t, path);
  t.doesNotThrow(() => s.start());
  t.same(faults.log, ['raise storage']);
  const seq = s.next();
  t.ok(seq > clock.now(), 'a sequence above any used before (wall-time floor), not 1');
  s.appendEvent(fireAlarm(seq));
  const b = s.nextBatch(LIMITS)!;
  t.equal(b.kind, 'event', 'the alarm is deliverable without any file');
  s.release(b.ids);
  rmSync(blocker);
  await until(() => s.health().ok, 'the outbox to open');
  t.same(faults.log, ['raise storage', 'clear storage']);
  t.same(rows(path).map((r) => r.seq), [seq], 'the held alarm is in the file now');
  t.ok(existsSync(path));
});

t.test('readings held in memory are bounded; the loss is reported as a dropped event once stored', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const opener = failingOpener();
  const { s } = store(t, path, { openOutbox: opener.open, maxHeldReadings: 50 });
  s.start();
  opener.failNextWrite();
  opener.refuseOpen('SQLITE_IOERR');
  s.appendEvent(fireAlarm(s.next()));
  for (let i = 0; i < 200; i++) s.appendReading(reading(s.next()));
  for (let i = 0; i < 20; i++) s.appendEvent(fault(s.next()));
  t.equal(s.stats().depth.telemetry, 50, 'readings bounded');
  t.equal(s.stats().depth.events + s.stats().depth.fire, 21, 'events are never dropped');
  t.equal(s.stats().droppedReadings, 150);
  opener.refuseOpen(undefined);
  await until(() => s.health().ok, 'reopen');
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  const dropped = db.prepare("SELECT payload FROM records WHERE payload ->> '$.kind' = 'dropped'").all() as { payload: string }[];
  t.equal(dropped.length, 1);
  t.match(JSON.parse(dropped[0]!.payload), { value: 150, message: /storage fault/ });
});

t.test('events raised together whose commit fails are all held in memory and leased, none lost', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const opener = failingOpener();
  const { s, faults } = store(t, path, { openOutbox: opener.open });
  s.start();
  opener.failNextWrite();
  opener.refuseOpen('SQLITE_IOERR');
  const together = [fireAlarm(s.next(), { id: 'a-1' }), fault(s.next(), { id: 'f-2' })];
  t.doesNotThrow(() => s.appendEvents(together), 'a storage failure never reaches the caller');
  t.same(faults.log, ['raise storage']);
  const ids: string[] = [];
  for (let b = s.nextBatch(LIMITS); b !== undefined; b = s.nextBatch(LIMITS)) if (b.kind === 'event') ids.push(b.event.id);
  t.same(ids, ['a-1', 'f-2'], 'both sent from memory, the fire alarm first');
});
