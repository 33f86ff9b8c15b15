import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { PREFIX, Subscriber, missing, platform, range } from '../uplink/harness.js';
import { fault, reading, tempDir } from './fixtures.js';

const LIMITS = { maxReadings: 100, maxBytes: 1_000_000 };

t.test('parked records leave the send order, are kept in the file, and come back in order', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  let box = Outbox.open({ path, gatewayId: 'gw-test' });
  box.appendEvent(fault(1, { id: 'refused' }));
  for (let i = 2; i <= 6; i++) box.appendReading(reading(i));
  box.flush();
  const ev = box.nextBatch(LIMITS);
  t.equal(ev?.kind === 'event' && ev.event.id, 'refused');
  box.park(ev!.ids, 'reason code 135');
  const s = box.stats();
  t.equal(s.parked, 1, 'counted as parked');
  t.equal(s.inflight, 0, 'no longer in flight');
  const notice = box.nextBatch(LIMITS);
  t.ok(notice?.kind === 'event' && notice.event.kind === 'fault' && /refused 1 records \(reason code 135\)/.test(notice.event.message ?? ''), 'a fault event says so');
  const tel = box.nextBatch(LIMITS);
  t.same(tel?.kind === 'telemetry' && tel.readings.map((r) => r.seq), [2, 3, 4, 5, 6], 'the rest is not blocked');
  box.delivered([...notice!.ids, ...tel!.ids]);
  t.equal(box.nextBatch(LIMITS), undefined, 'the parked record is not offered');
  // Parking the platform's refusal of that very notice must not make another notice, and another.
  box.appendEvent(fault(7, { id: 'refused-too' }));
  const refusedToo = box.nextBatch(LIMITS);
  box.park(refusedToo!.ids, 'reason code 135');
  t.equal(box.stats().parked, 2);
  t.equal(box.nextBatch(LIMITS), undefined, 'no second notice within the hour: coalesced');
  box.close();

  box = Outbox.open({ path, gatewayId: 'gw-test' });
  t.teardown(() => box.close());
  t.equal(box.stats().parked, 2, 'still parked after a restart: kept, never deleted');
  const [first, second] = [box.unparkOne(), box.unparkOne()];
  t.ok(first !== undefined && second !== undefined && first < second, `a probe unparks one record at a time, taking turns (${first}, ${second})`);
  t.equal(box.stats().parked, 0);
  const probes = [box.nextBatch(LIMITS), box.nextBatch(LIMITS)].map((b) => b?.kind === 'event' && b.event.id);
  t.same(probes, ['refused', 'refused-too'], 'both back at their original priority');
  box.park([first!, second!], 'reason code 135');
  t.equal(box.unparkOne(first), second, 'the next probe after the first one');
  t.equal(box.unparkOne(second), first, 'wraps around to the oldest');
  t.equal(box.unparkOne(), undefined, 'nothing left to probe');
  box.close();
  box = Outbox.open({ path, gatewayId: 'gw-test' });
  box.park([first!], 'reason code 135');
  t.equal(box.stats().parked, 1);
  t.equal(box.unparkAll(), 1, 'returned to the queue');
  t.equal(box.stats().parked, 0);
  const again = box.nextBatch(LIMITS);
  t.equal(again?.kind === 'event' && again.event.id, 'refused', 'sent again with its original priority');
  t.equal(box.unparkAll(), 0, 'nothing left to unpark');
});

t.test('end to end: a record the broker refuses for good (PUBACK 0x87) is parked at once, once, and the rest flows', async (t) => {
  // The platform's ACL lets gateway gw-denied publish telemetry and status, but no events.
  const broker = await Mosquitto.start({
    acl: [`topic read ${PREFIX}/#`, `topic write ${PREFIX}/+/status`, `topic write ${PREFIX}/+/telemetry`, ''].join('\n'),
  });
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/gw-denied/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 10, gatewayId: 'gw-denied' });
  t.teardown(() => outbox.close());
  outbox.appendEvent(fault(1, { id: 'never-accepted', gatewayId: 'gw-denied' }));
  for (const s of range(2, 501)) outbox.appendReading(reading(s, { gatewayId: 'gw-denied' }));
  const session = new UplinkSession({ platform: platform(broker.url, { reconnectMinMs: 20, reconnectMaxMs: 100 }), gatewayId: 'gw-denied', outbox });
  t.teardown(() => session.stop());
  session.start();
  const explain = (what: string) => (err: Error) => {
    throw new Error(`${what}: ${err.message}; state ${JSON.stringify(session.state())}; stats ${JSON.stringify(outbox.stats())}`);
  };
  await waitFor(() => outbox.stats().parked >= 1, 20_000).catch(explain('nothing parked'));
  t.match(session.state().lastRefusal, { code: 0x87, permanent: true, fireAlarm: false }, 'refused as not authorized: a permanent refusal');
  await sub.waitFor((s) => missing(s.readingSeqs(), range(2, 501)).length === 0, 20_000).catch(explain('telemetry blocked'));
  t.pass('every reading behind the refused event was delivered');
  await waitFor(() => (outbox.flush(), outbox.stats().depth.telemetry === 0 && outbox.stats().depth.events === 0), 10_000);
  await new Promise((r) => setTimeout(r, 500));
  const s = outbox.stats();
  t.equal(s.parked, 2, 'kept in the outbox: the event, and the one parking notice the ACL refuses too (no chain of notices)');
  t.equal(session.state().counters.rejected, 2, 'each refused once and parked at once, not retried on a count');
  t.equal(sub.messages.filter((m) => m.topic.includes('/events/')).length, 0, 'no event got through the ACL');
});
