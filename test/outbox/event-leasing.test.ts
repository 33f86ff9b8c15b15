import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { Lane } from '../../src/outbox/lane.js';
import { fault, fireAlarm, reading, tempDir } from './fixtures.js';

/**
 * While every stored event of a destination is held (in flight, or confirmed and awaiting its
 * delete), leasing does not read the event rows again; but a new event, a released one or a
 * deleted one's successor is leased at once. The skip is arithmetic (live rows vs held ids), so
 * these cases are where it could go wrong and lose an alarm.
 */
const LIMITS = { maxReadings: 100, maxBytes: 1 << 20 };

t.test('an alarm in flight is not read again for every reading; new, released and later alarms still go', async (t) => {
  const box = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 10_000 });
  t.teardown(() => box.close());
  const queried: number[] = [];
  const proto = Lane.prototype as unknown as { leaseStored: (priority: number, ...rest: unknown[]) => boolean };
  const original = proto.leaseStored;
  proto.leaseStored = function (this: unknown, priority: number, ...rest: unknown[]) {
    queried.push(priority);
    return original.call(this, priority, ...rest);
  };
  t.teardown(() => void (proto.leaseStored = original));

  box.appendEvent(fireAlarm(box.next()));
  const first = box.nextBatch(LIMITS);
  t.equal(first?.kind, 'event');
  t.same(queried, [0], 'the fire alarm row read once');

  queried.length = 0;
  for (let i = 0; i < 20; i++) {
    box.appendReading(reading(box.next()));
    box.flush();
    const b = box.nextBatch(LIMITS);
    t.equal(b?.kind, 'telemetry');
    box.delivered(b!.ids);
  }
  t.notOk(queried.includes(0), 'no event query while the only alarm is in flight');

  // A second alarm committed while the first is in flight: leased before any reading.
  box.appendEvent(fireAlarm(box.next(), { deviceId: 'smoke-2' }));
  box.appendReading(reading(box.next()));
  box.flush();
  const second = box.nextBatch(LIMITS);
  t.equal(second?.kind, 'event');
  t.equal(second?.kind === 'event' ? second.event.deviceId : '', 'smoke-2', 'the new alarm is not skipped');

  // The first was not confirmed (link lost): released, it is leased again before anything else.
  box.release(first!.ids);
  const again = box.nextBatch(LIMITS);
  t.same(again?.ids, first!.ids, 'a released alarm is leased again');

  // Both confirmed and deleted; a fault (the other event priority) and a new alarm both go.
  box.delivered(again!.ids);
  box.delivered(second!.ids);
  box.flush();
  box.appendEvent(fault(box.next()));
  box.appendEvent(fireAlarm(box.next(), { deviceId: 'smoke-3' }));
  const kinds: string[] = [];
  for (let b = box.nextBatch(LIMITS); b; b = box.nextBatch(LIMITS)) {
    kinds.push(b.kind === 'event' ? `${b.event.kind}:${b.event.deviceId}` : b.kind);
    box.delivered(b.ids);
  }
  t.same(kinds.slice(0, 2), ['alarm:smoke-3', 'fault:rcd-1'], 'after deletes, new events of both priorities are leased');
  box.flush();
  t.equal(box.nextBatch(LIMITS), undefined, 'nothing left once the deletes committed');
});
