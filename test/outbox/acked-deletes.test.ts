import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { consecutiveRuns } from '../../src/outbox/id-runs.js';
import { fault, fireAlarm, reading, tempDir } from './fixtures.js';

/**
 * Acked records are deleted in runs of consecutive ids (one range delete per run). The runs must
 * never span an id that was not acked, and the per-priority depth must stay exact.
 */
t.test('consecutive runs split on gaps and on priority changes', async (t) => {
  const prio = new Map<number, 0 | 1 | 2 | undefined>([
    [1, 2], [2, 2], [3, 2], [5, 2], [6, 1], [7, 2], [9, undefined], [10, undefined],
  ]);
  const runs = consecutiveRuns([7, 3, 1, 2, 5, 6, 10, 9, 2], (id) => prio.get(id));
  t.same(runs, [
    { from: 1, to: 3, priority: 2 },
    { from: 5, to: 5, priority: 2 },
    { from: 6, to: 6, priority: 1 },
    { from: 7, to: 7, priority: 2 },
    // Unknown priority (acked without a lease): never merged, each row's priority is read back.
    { from: 9, to: 9, priority: undefined },
    { from: 10, to: 10, priority: undefined },
  ]);
});

t.test('acking every other telemetry batch deletes exactly those records', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path, flushIntervalMs: 10_000 });
  t.teardown(() => box.close());
  box.appendEvent(fault(box.next()));
  for (let i = 0; i < 1000; i++) box.appendReading(reading(box.next()));
  box.appendEvent(fireAlarm(box.next()));
  box.flush();

  const fire = box.nextBatch({ maxReadings: 100, maxBytes: 1 << 20 });
  t.equal(fire?.kind, 'event');
  box.delivered(fire!.ids);
  const other = box.nextBatch({ maxReadings: 100, maxBytes: 1 << 20 });
  t.equal(other?.kind, 'event');
  const batches = [];
  for (let b = box.nextBatch({ maxReadings: 100, maxBytes: 1 << 20 }); b; b = box.nextBatch({ maxReadings: 100, maxBytes: 1 << 20 })) batches.push(b);
  t.equal(batches.length, 10);
  const kept: number[] = [];
  batches.forEach((b, i) => {
    if (i % 2 === 0) box.delivered(b.ids);
    else {
      box.release(b.ids);
      if (b.kind === 'telemetry') kept.push(...b.readings.map((r) => r.seq));
    }
  });
  box.release(other!.ids);
  box.flush();
  const s = box.stats();
  t.same(s.depth, { fire: 0, events: 1, telemetry: 500 }, 'depth counts what is left');

  // What is left is exactly the released batches, and survives a reopen.
  box.close();
  const again = Outbox.open({ path });
  t.teardown(() => again.close());
  t.same(again.stats().depth, { fire: 0, events: 1, telemetry: 500 });
  const left: number[] = [];
  for (let b = again.nextBatch({ maxReadings: 1000, maxBytes: 1 << 22 }); b; b = again.nextBatch({ maxReadings: 1000, maxBytes: 1 << 22 })) {
    if (b.kind === 'telemetry') left.push(...b.readings.map((r) => r.seq));
  }
  t.same(left, kept);
});
