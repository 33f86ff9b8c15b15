import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import type { OutboxOptions } from '../../src/outbox/outbox.js';
import type { DestinationRoute } from '../../src/outbox/routing.js';
import { drainAll, fault, fireAlarm, LIMITS, reading, tempDir, GATEWAY } from './fixtures.js';


/** The platform takes everything; the centre alarms, faults and restores, no readings. */
const TWO: DestinationRoute[] = [
  { id: 'platform', readings: true },
  { id: 'centre', kinds: ['alarm', 'fault', 'restore'], readings: false },
];

function open(path: string, destinations: readonly DestinationRoute[] = TWO, extra: Partial<OutboxOptions> = {}): Outbox {
  return Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, destinations, ...extra });
}

function rowsIn(path: string): { id: number; pending: number; parked: number; priority: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, pending, parked, priority FROM records ORDER BY id').all() as { id: number; pending: number; parked: number; priority: number }[];
  } finally {
    db.close();
  }
}

t.test('each record goes to the destinations it is routed to, and leaves when every one of them confirmed it', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path);
  t.teardown(() => box.close());
  t.same(box.destinationIds(), ['platform', 'centre']);
  box.appendReading(reading(1));
  box.appendEvent(fireAlarm(2));
  box.appendEvent(fault(3));
  box.appendEvent(fault(4, { id: 'tag', kind: 'tag_arrived', severity: 'info' }));
  box.flush();
  const platform = box.source('platform')!;
  const centre = box.source('centre')!;
  const c = drainAll(centre);
  t.same(c.what, ['ev-2', 'ev-3'], 'the centre: fire alarm first, then the fault; no reading, no tag event');
  const p = drainAll(platform);
  t.same(p.what, ['ev-2', 'ev-3', 'tag', 'r1'], 'the platform: everything, in its own priority order');
  t.equal(rowsIn(path).length, 4, 'one row per record, whatever the number of destinations');

  platform.delivered(p.ids);
  box.flush();
  t.same(
    rowsIn(path).map((r) => r.pending),
    [2, 2],
    'after the platform confirmed: only the rows the centre still waits for, with its bit alone',
  );
  t.equal(box.stats().destinations?.platform?.depth.fire, 0);
  t.equal(box.stats().destinations?.centre?.depth.fire, 1, 'the centre still waits for its fire alarm');
  t.equal(box.stats().destinations?.centre?.inflight, 2);
  t.equal(box.stats().total, 2);

  centre.release(c.ids);
  const again = drainAll(centre);
  t.same(again.what, ['ev-2', 'ev-3'], 'released by the centre: leased again by the centre');
  centre.delivered(again.ids);
  box.flush();
  t.same(rowsIn(path), [], 'gone once both confirmed');
  t.equal(box.stats().total, 0);
});

t.test('a dead destination never holds back another', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path);
  t.teardown(() => box.close());
  const platform = box.source('platform')!;
  const centre = box.source('centre')!;
  // The platform leases a backlog and never confirms (a broker that stopped answering).
  for (let i = 1; i <= 300; i++) box.appendEvent(fault(i));
  const stuck = drainAll(platform);
  t.equal(stuck.ids.length, 300);
  let woken = 0;
  centre.onCommitted(() => woken++);
  box.appendEvent(fireAlarm(301));
  t.ok(woken > 0, "the centre's connection is woken for its record");
  const first = centre.nextBatch(LIMITS);
  t.equal(first?.kind === 'event' && first.event.id, 'ev-301', 'the fire alarm goes first to the centre too');
  const rest = drainAll(centre);
  t.equal(rest.ids.length, 300, 'and its whole backlog, although the platform holds every one in flight');
  centre.delivered([...first!.ids, ...rest.ids]);
  box.flush();
  const s = box.stats();
  t.same(s.destinations?.centre, { depth: { fire: 0, events: 0, telemetry: 0 }, parked: 0, inflight: 0, oldestUnsentAgeMs: null }, 'the centre is done');
  t.equal(s.destinations?.platform?.inflight, 300, 'the platform still holds its leases');
  t.equal(s.destinations?.platform?.depth.fire, 1, 'and still waits for the fire alarm');
  t.equal(rowsIn(path).length, 301, 'nothing left the file the platform has not confirmed');
});

t.test('parking is per destination: a refusal by one does not keep the record from the other', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path);
  t.teardown(() => box.close());
  box.appendEvent(fault(1, { id: 'refused-by-centre' }));
  const centre = box.source('centre')!;
  const platform = box.source('platform')!;
  const leased = centre.nextBatch(LIMITS)!;
  centre.park!(leased.ids, 'deny');
  t.equal(box.stats().destinations?.centre?.parked, 1);
  t.equal(box.stats().destinations?.platform?.parked, 0);
  const forPlatform = drainAll(platform).what;
  t.ok(forPlatform.includes('refused-by-centre'), 'the platform still gets it');
  t.ok(forPlatform.some((id) => id.includes('outbox-fault')), 'with a fault event saying the centre refused records');
  const notice = drainAll(centre).what;
  t.equal(notice.length, 1, 'the centre gets the notice (a fault), not the parked record');
  t.equal(centre.unparkOne!(), leased.ids[0], 'a probe returns it to the centre');
  t.same(drainAll(centre).what, ['refused-by-centre']);
  t.equal(centre.unparkAll!(), 0);
});

t.test('masks, leases and counts survive a restart', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  let box = open(path);
  box.appendEvent(fireAlarm(1));
  box.appendEvent(fault(2));
  for (let i = 3; i <= 10; i++) box.appendReading(reading(i));
  const p = drainAll(box.source('platform')!);
  box.source('platform')!.delivered(p.ids.slice(0, 1)); // the fire alarm
  box.source('centre')!.delivered([drainAll(box.source('centre')!).ids[1]!]); // the fault
  box.close();
  box = open(path);
  t.teardown(() => box.close());
  const s = box.stats().destinations!;
  t.same([s.platform?.depth, s.centre?.depth], [{ fire: 0, events: 1, telemetry: 8 }, { fire: 1, events: 0, telemetry: 0 }], 'each destination waits for exactly what it did not confirm');
  t.same(drainAll(box.source('centre')!).what, ['ev-1']);
  t.same(drainAll(box.source('platform')!).what.slice(0, 2), ['ev-2', 'r3']);
});

t.test('a record no destination is meant for is not stored; a destination taking readings gets them all', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = open(path, [
    { id: 'platform', kinds: ['alarm'], readings: false },
    { id: 'archive', minSeverity: 'major', readings: true },
  ]);
  t.teardown(() => box.close());
  box.appendEvent(fault(1, { id: 'minor', severity: 'minor' }));
  box.appendEvent(fault(2, { id: 'major' }));
  box.appendEvent(fireAlarm(3));
  box.appendReading(reading(4));
  box.flush();
  t.equal(rowsIn(path).length, 3, 'the minor fault is for nobody');
  t.same(drainAll(box.source('platform')!).what, ['ev-3']);
  t.same(drainAll(box.source('archive')!).what, ['ev-3', 'major', 'r4']);
});

t.test('evicted readings leave every destination\'s count', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const routes: DestinationRoute[] = [
    { id: 'platform', readings: true },
    { id: 'second', readings: true },
  ];
  const box = open(path, routes, { quotaMb: 1, quotaCheckMs: 0 });
  t.teardown(() => box.close());
  const big = 'x'.repeat(900);
  for (let i = 1; i <= 3000; i++) box.appendReading(reading(i, { point: big }));
  box.flush();
  const s = box.stats();
  t.ok(s.droppedReadings > 0, `the quota evicted readings (${s.droppedReadings})`);
  const rows = rowsIn(path).filter((r) => r.priority === 2).length;
  t.equal(s.destinations?.platform?.depth.telemetry, rows, 'the platform counts what is left');
  t.equal(s.destinations?.second?.depth.telemetry, rows, 'and so does the second destination');
  const drained = drainAll(box.source('second')!);
  t.equal(drained.what.filter((w) => w.startsWith('r')).length, rows, 'its leasing finds exactly those');
});

t.test('an outbox of an earlier version migrates in place: the platform keeps its backlog and what it parked', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  writeVersion2(path);
  const box = open(path);
  t.teardown(() => box.close());
  const s = box.stats();
  t.same(s.depth, { fire: 1, events: 0, telemetry: 1 }, 'the platform waits for the stored alarm and reading');
  t.equal(s.parked, 1, 'the parked fault is still parked for the platform');
  t.same(s.destinations?.centre?.depth, { fire: 0, events: 0, telemetry: 0 }, 'a new destination receives what is appended from now on');
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('user_version', { simple: true }), 4);
  t.same(
    db.prepare('SELECT priority, pending, parked FROM records ORDER BY id').all(),
    [
      { priority: 2, pending: 1, parked: 0 },
      { priority: 0, pending: 1, parked: 0 },
      { priority: 1, pending: 1, parked: 1 },
    ],
    'priority back from the old parked offset, platform bit set',
  );
  t.same(drainAll(box.source('platform')!).what, ['old-fire', 'r1']);
  t.equal(box.source('platform')!.unparkAll!(), 1);
  t.same(drainAll(box.source('platform')!).what, ['old-parked'], 'returned at its own priority');
});

t.test('a destination removed from the configuration is retired: its part of every record released', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  let box = open(path);
  box.appendEvent(fireAlarm(1));
  box.appendEvent(fault(2));
  box.source('platform')!.delivered(drainAll(box.source('platform')!).ids.slice(0, 1));
  box.close();
  t.same(rowsIn(path).map((r) => r.pending), [2, 3], 'the centre waits for both, the platform for the fault');
  box = open(path, [{ id: 'platform', readings: true }]);
  t.same(rowsIn(path).map((r) => r.pending), [1], 'the alarm only the centre waited for is gone; the fault stays for the platform');
  t.same(box.destinationIds(), ['platform']);
  box.close();
  box = open(path, [...TWO, { id: 'third', readings: false }]);
  t.teardown(() => box.close());
  box.appendEvent(fireAlarm(3));
  t.same(rowsIn(path).map((r) => r.pending), [1, 7], 'bits are reused once freed: centre 1, third 2');
});

/** A file as version 2 wrote it: one platform, parked records at priority + 3. */
function writeVersion2(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL CHECK (kind IN ('event', 'reading')), priority INTEGER NOT NULL,
      device_id TEXT NOT NULL, seq INTEGER NOT NULL, created_at INTEGER NOT NULL, bytes INTEGER NOT NULL, payload TEXT NOT NULL,
      epoch INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX records_send_order ON records (priority, id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE clock_epochs (epoch INTEGER PRIMARY KEY, boot_id TEXT NOT NULL, origin_ms REAL NOT NULL);
    CREATE TABLE clock_sync (boot_id TEXT PRIMARY KEY, wall_minus_boot REAL NOT NULL) WITHOUT ROWID;
  `);
  const insert = db.prepare('INSERT INTO records (kind, priority, device_id, seq, created_at, bytes, payload) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const add = (kind: string, priority: number, record: { deviceId: string; seq: number }) => {
    const payload = JSON.stringify(record);
    insert.run(kind, priority, record.deviceId, record.seq, Date.now(), payload.length, payload);
  };
  add('reading', 2, reading(1));
  add('event', 0, fireAlarm(2, { id: 'old-fire' }));
  add('event', 4, fault(3, { id: 'old-parked' }));
  db.pragma('user_version = 2');
  db.close();
}
