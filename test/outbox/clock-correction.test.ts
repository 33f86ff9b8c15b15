import { join } from 'node:path';
import t from 'tap';
import type { Reading } from '../../src/model/reading.js';
import type { OutboxClock } from '../../src/outbox/clock-epochs.js';
import { Outbox } from '../../src/outbox/index.js';
import { reading, tempDir } from './fixtures.js';

const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };
const HOUR = 3_600_000;
const TRUE_TIME = Date.UTC(2026, 4, 1, 12);

/** A gateway clock the test drives: monotonic time only moves forward, wall time may jump. */
class TestClock implements OutboxClock {
  wall = Date.UTC(1970, 0, 1) + 42_000; // a Pi without RTC boots near the epoch (or at the last shutdown)
  monoMs = 5_000;
  sync = false;
  now(): number {
    return this.wall;
  }
  mono(): number {
    return this.monoMs;
  }
  synced(): boolean {
    return this.sync;
  }
  tick(ms: number): void {
    this.wall += ms;
    this.monoMs += ms;
  }
}

function take(box: Outbox, clock: TestClock, seq: number): void {
  box.appendReading(reading(seq, { ts: clock.now(), mono: clock.mono(), synced: clock.synced() }));
}

function sent(box: Outbox): (Reading & { tsUnsynced?: number })[] {
  const b = box.nextBatch(LIMITS);
  return b?.kind === 'telemetry' ? b.readings : [];
}

t.test('readings taken before sync are corrected from monotonic time at send; steps of an hour reorder nothing', async (t) => {
  const clock = new TestClock();
  const path = join(tempDir(t), 'outbox.db');
  const box = Outbox.open({ path, clock, bootId: 'boot-1', minFreeMb: 0 });
  t.teardown(() => box.close());
  // Unsynced: 1 s apart in monotonic time, with the wall clock stepping an hour forward and back.
  take(box, clock, 1);
  clock.tick(1000);
  take(box, clock, 2);
  clock.wall += HOUR; // a step forward before sync (e.g. a bad RTC module or a manual set)
  clock.tick(1000);
  take(box, clock, 3);
  clock.wall -= 2 * HOUR; // and back
  clock.tick(1000);
  take(box, clock, 4);
  box.flush();
  t.same(sent(box).map((r) => r.synced), [false, false, false, false], 'no sync known yet: sent flagged unsynced');
  box.release([1, 2, 3, 4].map((_, i) => i + 1));

  // NTP sync arrives: the wall clock jumps to the true time.
  clock.tick(500);
  clock.wall = TRUE_TIME;
  clock.sync = true;
  take(box, clock, 5);
  // The sync relation (wall - monotonic) is recorded by the first commit after sync, which the
  // group commit makes within flushIntervalMs; a step before that commit would shift it.
  box.flush();
  clock.tick(1000);
  clock.wall -= HOUR; // a step back after sync (a daylight-saving mistake, a bad NTP server)
  take(box, clock, 6);
  clock.tick(1000);
  clock.wall += 2 * HOUR; // and forward
  take(box, clock, 7);
  box.flush();

  const out = sent(box);
  t.same(out.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7], 'send order is by sequence: no step reorders it');
  const [r1, r2, r3, r4, r5] = out;
  t.same([r1!.ts, r2!.ts, r3!.ts, r4!.ts], [TRUE_TIME - 3500, TRUE_TIME - 2500, TRUE_TIME - 1500, TRUE_TIME - 500], 'corrected from monotonic time: syncWall - (syncMono - mono)');
  t.ok(out.slice(0, 4).every((r) => r.synced === true), 'corrected records go out as synced');
  t.same(out.slice(0, 4).map((r) => r.tsUnsynced), [42_000, 43_000, 42_000 + HOUR + 2000, 42_000 - HOUR + 3000].map((ms) => Date.UTC(1970, 0, 1) + ms), 'the original stamps go along');
  t.equal(r5!.ts, TRUE_TIME, 'a synced reading is sent as stamped');
  t.equal(r5!.tsUnsynced, undefined);
  t.equal(out[5]!.ts, TRUE_TIME + 1000 - HOUR, 'synced readings keep their own time, even after a step (never overwritten)');
});

t.test('the stored record keeps its original stamp; an earlier boot that never synced stays flagged', async (t) => {
  const clock = new TestClock();
  const path = join(tempDir(t), 'outbox.db');
  let box = Outbox.open({ path, clock, bootId: 'boot-1', minFreeMb: 0 });
  take(box, clock, 1);
  box.close(); // powered off before the clock ever synced

  // Next boot: the monotonic clock starts over; this boot syncs.
  const clock2 = new TestClock();
  box = Outbox.open({ path, clock: clock2, bootId: 'boot-2', minFreeMb: 0 });
  t.teardown(() => box.close());
  take(box, clock2, 2);
  clock2.tick(2000);
  clock2.wall = TRUE_TIME;
  clock2.sync = true;
  take(box, clock2, 3);
  box.flush();
  const out = sent(box);
  t.same(out.map((r) => r.seq), [1, 2, 3]);
  t.equal(out[0]!.synced, false, 'boot 1 never synced: no monotonic relation survives a reboot, sent flagged');
  t.equal(out[0]!.ts, Date.UTC(1970, 0, 1) + 42_000, 'with its original stamp');
  t.equal(out[1]!.ts, TRUE_TIME - 2000, 'boot 2 before sync: corrected');
  box.release(out.map((_, i) => i + 1));
  const again = sent(box);
  t.equal(again[1]!.tsUnsynced, Date.UTC(1970, 0, 1) + 42_000, 'sent again: still corrected from the unchanged stored stamp');
});
