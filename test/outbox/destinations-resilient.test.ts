import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import type { DestinationRoute } from '../../src/outbox/routing.js';
import { fault, fireAlarm, reading, tempDir } from './fixtures.js';
import { failingOpener, store } from './resilient-fixtures.js';

const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };
const TWO: DestinationRoute[] = [
  { id: 'platform', readings: true },
  { id: 'centre', kinds: ['alarm', 'fault', 'restore'], readings: false },
];

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function masks(path: string): { seq: number; pending: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT seq, pending FROM records ORDER BY id').all() as { seq: number; pending: number }[];
  } finally {
    db.close();
  }
}

t.test('during a storage fault each destination drains its own copy from memory; the file then takes each record for those still waiting', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const opener = failingOpener();
  const { s } = store(t, path, { openOutbox: opener.open, outbox: { destinations: TWO } });
  s.start();
  const centre = s.source('centre')!;
  const platform = s.source('platform')!;
  t.same(s.destinationIds(), ['platform', 'centre']);
  opener.failNextWrite();
  opener.refuseOpen('SQLITE_IOERR');
  let centreWoken = 0;
  centre.onCommitted(() => centreWoken++);
  const alarm = fireAlarm(s.next());
  s.appendEvent(alarm);
  s.appendEvent(fault(s.next()));
  s.appendReading(reading(s.next()));
  t.ok(centreWoken > 0, 'the centre is woken for the held alarm');
  t.same(s.stats().destinations?.centre?.depth, { fire: 1, events: 1, telemetry: 0 });
  t.same(s.stats().destinations?.platform?.depth, { fire: 1, events: 1, telemetry: 1 });
  const fromMemory = centre.nextBatch(LIMITS)!;
  t.ok(fromMemory.kind === 'event' && fromMemory.event.id === alarm.id && fromMemory.ids[0]! < 0, 'the centre gets the alarm live, from memory');
  centre.delivered(fromMemory.ids);
  t.equal(s.stats().destinations?.platform?.depth.fire, 1, 'the platform still waits for its own copy');

  opener.refuseOpen(undefined);
  await until(() => s.health().ok, 'the file to reopen');
  const stored = masks(path);
  t.same(
    stored.map((r) => r.pending),
    [1, 3, 1],
    'the alarm for the platform alone, the fault for both, the reading for the platform',
  );
  t.same(s.stats().destinations?.centre?.depth, { fire: 0, events: 1, telemetry: 0 });
  const next = centre.nextBatch(LIMITS);
  t.ok(next !== undefined && next.ids[0]! > 0 && next.kind === 'event' && next.event.kind === 'fault', 'from the file now');
  t.equal(centre.nextBatch(LIMITS), undefined, 'nothing else for the centre');
  const forPlatform = [platform.nextBatch(LIMITS), platform.nextBatch(LIMITS), platform.nextBatch(LIMITS)].map((b) => b?.kind);
  t.same(forPlatform, ['event', 'event', 'telemetry'], 'the platform gets its three from the file');
});
