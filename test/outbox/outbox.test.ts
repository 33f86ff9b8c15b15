import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox, OutboxStorageError, PRIORITY_FIRE } from '../../src/outbox/index.js';
import { fault, fireAlarm, reading, tempDir } from './fixtures.js';

const LIMITS = { maxReadings: 100, maxBytes: 1_000_000 };

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

t.test('sends fire alarms first, then other events, then telemetry oldest first', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path });
  t.teardown(() => box.close());
  for (let i = 1; i <= 5; i++) box.appendReading(reading(i));
  box.appendEvent(fault(6));
  box.appendReading(reading(7));
  box.appendEvent(fireAlarm(8));
  box.flush();

  const first = box.nextBatch(LIMITS);
  t.equal(first?.kind, 'event');
  t.equal(first?.kind === 'event' && first.event.seq, 8, 'fire alarm first');
  t.equal(first?.priority, PRIORITY_FIRE);
  const second = box.nextBatch(LIMITS);
  t.equal(second?.kind === 'event' && second.event.seq, 6, 'then the fault');
  const third = box.nextBatch(LIMITS);
  t.same(third?.kind === 'telemetry' && third.readings.map((r) => r.seq), [1, 2, 3, 4, 5, 7], 'telemetry oldest first');
  t.equal(box.nextBatch(LIMITS), undefined, 'everything is in flight');
});

t.test('telemetry batches are limited by count and by bytes', async (t) => {
  const box = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => box.close());
  for (let i = 1; i <= 10; i++) box.appendReading(reading(i));
  box.flush();
  const byCount = box.nextBatch({ maxReadings: 3, maxBytes: 1_000_000 });
  t.same(byCount?.ids.length, 3);
  const oneSize = Buffer.byteLength(JSON.stringify(reading(4)));
  const byBytes = box.nextBatch({ maxReadings: 100, maxBytes: oneSize * 2 + 1 });
  t.same(byBytes?.kind === 'telemetry' && byBytes.readings.map((r) => r.seq), [4, 5]);
  const tiny = box.nextBatch({ maxReadings: 100, maxBytes: 1 });
  t.equal(tiny?.ids.length, 1, 'at least one reading even if it alone exceeds maxBytes');
  const fireOnly = box.nextBatch({ ...LIMITS, maxPriority: PRIORITY_FIRE });
  t.equal(fireOnly, undefined, 'the fire-only slot does not take telemetry');
});

t.test('readings are group-committed: by the timer, by size, by flush()', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path, flushIntervalMs: 50, maxBufferedReadings: 10 });
  t.teardown(() => box.close());
  const committed: number[] = [];
  box.onCommitted((p) => committed.push(p));

  box.appendReading(reading(1));
  box.appendReading(reading(2));
  t.equal(rowCount(path), 0, 'buffered, not yet in the file');
  t.equal(box.stats().buffered, 2);
  t.equal(box.nextBatch(LIMITS), undefined, 'uncommitted readings are not leased');
  await new Promise((r) => setTimeout(r, 120));
  t.equal(rowCount(path), 2, 'the timer committed both');
  t.same(committed, [2], 'one commit notification for the group');

  for (let i = 3; i <= 12; i++) box.appendReading(reading(i));
  t.equal(rowCount(path), 12, 'the size threshold committed at once');

  box.appendReading(reading(13));
  box.flush();
  t.equal(rowCount(path), 13);

  box.appendReading(reading(14));
  box.appendEvent(fault(15));
  t.equal(rowCount(path), 15, 'an event commits the buffered readings with it');
});

t.test('ack deletes, release returns records to the queue', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path, flushIntervalMs: 20 });
  t.teardown(() => box.close());
  box.appendEvent(fault(1));
  box.appendEvent(fault(2));
  box.appendEvent(fault(3));
  const a = box.nextBatch(LIMITS)!;
  const b = box.nextBatch(LIMITS)!;
  const c = box.nextBatch(LIMITS)!;
  t.equal(box.stats().inflight, 3);

  box.release(b.ids);
  box.delivered(a.ids);
  const again = box.nextBatch(LIMITS);
  t.equal(again?.kind === 'event' && again.event.seq, 2, 'released record is leased again, in order');
  t.equal(box.nextBatch(LIMITS), undefined, 'acked record is not leased again');

  box.flush();
  t.equal(rowCount(path), 2, 'ack deleted the record at the next commit');
  box.release([...again!.ids, ...c.ids]);
  box.delivered(c.ids); // a late ack after release still counts: the broker has it
  box.flush();
  t.equal(rowCount(path), 1);
  const s = box.stats();
  t.same(s.depth, { fire: 0, events: 1, telemetry: 0 });
  t.equal(s.inflight, 0);
});

t.test('unsent data and the sequence survive close and reopen', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  let box = Outbox.open({ path, sequenceBlockSize: 10 });
  const seqs: number[] = [];
  for (let i = 0; i < 25; i++) seqs.push(box.next());
  box.appendEvent(fireAlarm(seqs[0]!));
  for (const s of seqs.slice(1)) box.appendReading(reading(s));
  const inFlight = box.nextBatch(LIMITS)!;
  box.delivered(inFlight.ids); // acked but the close flushes the delete
  box.nextBatch(LIMITS); // leased, not acked: must come back after reopen
  box.close();

  box = Outbox.open({ path, sequenceBlockSize: 10 });
  t.teardown(() => box.close());
  const after = box.next();
  t.ok(after > seqs[seqs.length - 1]!, `sequence continues above ${seqs[seqs.length - 1]}, got ${after}`);
  t.same(box.stats().depth, { fire: 0, events: 0, telemetry: 24 });
  const batch = box.nextBatch(LIMITS);
  t.same(batch?.kind === 'telemetry' && batch.readings.map((r) => r.seq), seqs.slice(1), 'unacked readings are sent again');
});

t.test('stats report depth, oldest unsent age and bytes on disk', async (t) => {
  let now = 1_000_000;
  const box = Outbox.open({ path: join(tempDir(t), 'outbox.db'), now: () => now });
  t.teardown(() => box.close());
  t.equal(box.stats().oldestUnsentAgeMs, null);
  box.appendEvent(fireAlarm(1));
  now += 500;
  box.appendReading(reading(2));
  now += 250;
  const s = box.stats();
  t.same(s.depth, { fire: 1, events: 0, telemetry: 1 });
  t.equal(s.total, 2);
  t.equal(s.oldestUnsentAgeMs, 750);
  t.ok(s.bytesOnDisk > 0);
});

t.test('a storage failure is a typed OutboxStorageError, not retried', async (t) => {
  const dir = tempDir(t);
  // The parent "folder" is a regular file: SQLite cannot create the database.
  const blocker = join(dir, 'not-a-dir');
  const first = Outbox.open({ path: join(dir, 'ok.db') });
  first.close();
  (await import('node:fs')).writeFileSync(blocker, 'x');
  t.throws(() => Outbox.open({ path: join(blocker, 'outbox.db') }), OutboxStorageError);
  try {
    Outbox.open({ path: join(blocker, 'outbox.db') });
  } catch (err) {
    t.equal((err as OutboxStorageError).code, 'OUTBOX_STORAGE');
    t.equal((err as OutboxStorageError).exitCode, 74);
  }
});

t.test('the file is in WAL mode', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path });
  box.appendEvent(fault(1));
  const db = new Database(path);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  box.close();
});
