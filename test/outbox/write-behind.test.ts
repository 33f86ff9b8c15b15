import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox, type UplinkSource } from '../../src/outbox/index.js';
import type { OutboxOptions } from '../../src/outbox/outbox.js';
import type { DestinationRoute } from '../../src/outbox/routing.js';
import { waitFor } from '../helpers/net.js';
import { failingOpener, store } from './resilient-fixtures.js';
import { fireAlarm, reading, tempDir, GATEWAY } from './fixtures.js';

const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };

function open(path: string, extra: Partial<OutboxOptions> = {}): Outbox {
  return Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, writeBehindMs: 60_000, ...extra });
}

/** Rows of each kind in the file, read through a connection of its own (what a crash would leave). */
function rowsInFile(path: string): { readings: number; events: number } {
  const db = new Database(path, { readonly: true });
  try {
    const n = (kind: string): number => db.prepare('SELECT COUNT(*) FROM records WHERE kind = ?').pluck().get(kind) as number;
    return { readings: n('reading'), events: n('event') };
  } finally {
    db.close();
  }
}

function leaseAll(src: UplinkSource): { ids: number[]; seqs: number[] } {
  const ids: number[] = [];
  const seqs: number[] = [];
  for (let b = src.nextBatch(LIMITS); b !== undefined; b = src.nextBatch(LIMITS)) {
    ids.push(...b.ids);
    if (b.kind === 'telemetry') seqs.push(...b.readings.map((r) => r.seq));
  }
  return { ids, seqs };
}

t.test('readings confirmed while in memory are never written; events are, at once', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path);
  t.teardown(() => box.close());
  for (let i = 1; i <= 50; i++) box.appendReading(reading(box.next()));
  box.appendEvent(fireAlarm(box.next(), { id: 'a-1' }));
  t.same(rowsInFile(path), { readings: 0, events: 1 }, 'the event is in the file before appendEvent returned; the readings are not');

  const { ids, seqs } = leaseAll(box);
  t.equal(ids.length, 51, 'the event and every reading are leased, readings straight from memory');
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'readings go out in sequence order');
  t.equal(new Set(ids).size, ids.length, 'every lease has its own id');
  box.delivered(ids);
  box.flush();
  t.same(rowsInFile(path), { readings: 0, events: 0 }, 'nothing left, and no reading was ever written');
  t.equal(box.stats().depth.telemetry, 0);
  t.equal(box.commitCounts().readings, 1, 'one commit: the deletion of the event');
});

t.test('readings nobody confirmed are spilled together once the oldest waited the window', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path, { writeBehindMs: 200 });
  t.teardown(() => box.close());
  const before = box.commitCounts().readings;
  for (let i = 0; i < 20; i++) box.appendReading(reading(box.next()));
  t.equal(rowsInFile(path).readings, 0, 'held in memory at first');
  await waitFor(() => rowsInFile(path).readings === 20, 10_000);
  t.equal(box.commitCounts().readings - before, 1, 'all twenty in one commit');
  t.equal(leaseAll(box).ids.length, 20, 'then leased from the file');
});

t.test('the count bound spills at once', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path, { maxBufferedReadings: 10 });
  t.teardown(() => box.close());
  for (let i = 0; i < 10; i++) box.appendReading(reading(box.next()));
  t.equal(rowsInFile(path).readings, 10);
});

t.test('a reading leased from memory and spilled before its confirmation keeps its id; the confirmation deletes the row', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path);
  t.teardown(() => box.close());
  for (let i = 0; i < 5; i++) box.appendReading(reading(box.next()));
  const first = box.nextBatch({ maxReadings: 3, maxBytes: 1e6 })!;
  t.equal(first.ids.length, 3);
  box.appendEvent(fireAlarm(box.next(), { id: 'a-2' }));
  box.flush();
  t.same(rowsInFile(path), { readings: 5, events: 1 }, 'spilled with their ids: no clash with the event inserted meanwhile');
  const rest = leaseAll(box);
  t.equal(rest.ids.length, 3, 'the event and the two readings not yet leased, not the three in flight');
  box.delivered(first.ids);
  box.delivered(rest.ids);
  box.flush();
  t.same(rowsInFile(path), { readings: 0, events: 0 });
});

t.test('a released reading is leased again from memory', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path);
  t.teardown(() => box.close());
  for (let i = 0; i < 3; i++) box.appendReading(reading(box.next()));
  const b = box.nextBatch(LIMITS)!;
  t.equal(box.nextBatch(LIMITS), undefined, 'in flight: not offered twice');
  box.release(b.ids);
  t.same(box.nextBatch(LIMITS)!.ids, b.ids, 'offered again, same ids');
});

t.test('several destinations: a reading is done when every destination it is routed to has it', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const routes: DestinationRoute[] = [
    { id: 'platform', readings: true },
    { id: 'centre', kinds: ['alarm'], readings: true },
  ];
  const box = open(path, { destinations: routes });
  t.teardown(() => box.close());
  for (let i = 0; i < 4; i++) box.appendReading(reading(box.next()));
  const platform = leaseAll(box.source('platform')!);
  box.source('platform')!.delivered(platform.ids);
  t.equal(box.stats().destinations!.platform!.depth.telemetry, 0, 'done for the platform');
  t.equal(box.stats().destinations!.centre!.depth.telemetry, 4, 'still waiting for the centre');
  box.flush();
  t.equal(rowsInFile(path).readings, 4, 'spilled for the centre alone');
  t.equal(leaseAll(box.source('platform')!).ids.length, 0, 'the platform is not offered them again');
  const centre = leaseAll(box.source('centre')!);
  t.same(centre.ids, platform.ids, 'the centre leases the same records from the file');
  box.source('centre')!.delivered(centre.ids);
  box.flush();
  t.equal(rowsInFile(path).readings, 0);
});

t.test('readings only commit at synchronous=NORMAL, events at FULL, and the connection goes back to FULL', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const seen: string[] = [];
  const box = open(path, { onCommit: (kind, synchronous) => seen.push(`${kind}:${synchronous}`) });
  t.teardown(() => box.close());
  box.appendReading(reading(box.next()));
  box.flush();
  box.appendEvent(fireAlarm(box.next(), { id: 'a-3' }));
  box.appendReading(reading(box.next()));
  box.flush();
  box.appendEvent(fireAlarm(box.next(), { id: 'a-4' }));
  t.same(seen, ['readings:1', 'events:2', 'readings:1', 'events:2'], 'FULL is 2, NORMAL is 1 (SQLite pragma synchronous)');
  t.same(box.commitCounts(), { events: 2, readings: 2 });
});

t.test('a run that never closed the file: the next open reports the readings it held in memory only', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const crashed = open(path);
  for (let i = 0; i < 30; i++) crashed.appendReading(reading(crashed.next()));
  crashed.appendEvent(fireAlarm(crashed.next(), { id: 'a-5' }));
  // Not closed: as a kill -9 leaves it (this connection only goes away at teardown).
  const notices: string[] = [];
  const next = open(path, { onNotice: (e) => notices.push(`${e.kind} ${String(e.value)} ${e.message ?? ''}`) });
  t.teardown(() => {
    next.close();
    crashed.close();
  });
  t.equal(notices.length, 1);
  t.match(notices[0], /^dropped 30 .*stopped without closing its outbox/, 'a dropped notice, the most held at its last commit as the count');
  const clean = open(join(tempDir(t), 'other.db'));
  clean.close();
  const reopened: string[] = [];
  open(join(tempDir(t), 'other.db'), { onNotice: (e) => reopened.push(e.kind) }).close();
  t.same(reopened, [], 'a clean stop reports nothing');
});

t.test('a storage fault hands the readings held in memory to the memory queue; nothing is lost', async (t) => {
  const dir = tempDir(t);
  const opener = failingOpener();
  const { s } = store(t, join(dir, 'outbox.db'), { openOutbox: opener.open, outbox: { writeBehindMs: 60_000 } });
  s.start();
  for (let i = 0; i < 5; i++) s.appendReading(reading(s.next()));
  opener.failNextWrite();
  s.appendEvent(fireAlarm(s.next(), { id: 'a-6' }));
  t.equal(s.health().ok, false, 'in a storage fault');
  const { seqs } = leaseAll(s);
  t.equal(seqs.length, 5, 'the five readings are still sent, from the memory queue');
});
