import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { fault, reading, tempDir } from '../outbox/fixtures.js';
import { Subscriber, platform } from '../uplink/harness.js';

t.test('broker down through a long outage: quota respected, only telemetry evicted, evictions reported', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  await broker.stop();
  const dir = tempDir(t);
  const box = Outbox.open({ path: `${dir}/outbox.db`, quotaMb: 1, quotaCheckMs: 0, minFreeMb: 0, reserveMb: 0, gatewayId: 'gw-test' });
  const session = new UplinkSession({ platform: platform(broker.url, { batchMaxReadings: 500 }), gatewayId: 'gw-test', outbox: box });
  t.teardown(async () => {
    await session.stop();
    box.close();
  });
  session.start();

  // A long outage compressed: 40,000 readings (about 8 MB as stored) and an event every 1,000.
  const eventIds: string[] = [];
  let maxLive = 0;
  for (let i = 0; i < 40_000; i++) {
    box.appendReading(reading(box.next(), { value: i, point: `p${i % 10}`, unit: 'mA', deviceId: `rcd-${i % 7}` }));
    if (i % 1000 === 999) {
      const e = fault(box.next(), { id: `outage-fault-${i}` });
      box.appendEvent(e);
      eventIds.push(e.id);
      maxLive = Math.max(maxLive, box.stats().bytesOnDisk);
    }
  }
  box.flush();
  const s = box.stats();
  t.ok(s.droppedReadings > 0, `${s.droppedReadings} readings dropped`);
  t.equal(s.depth.events >= eventIds.length, true, 'every event still in the outbox');
  t.ok(s.depth.telemetry < 40_000 - s.droppedReadings + 1, 'telemetry depth accounts for evictions');

  const sub = await Subscriber.connect(broker.url).catch(() => undefined);
  t.equal(sub, undefined, 'broker is down');
  await broker.start();
  const platformSide = await Subscriber.connect(broker.url);
  t.teardown(() => platformSide.close());
  await platformSide.waitFor(() => box.stats().total === 0, 60_000);

  const events = platformSide.on('').filter((m) => m.topic.includes('/events/'));
  const seen = new Set(events.map((m) => m.body.id));
  t.same(eventIds.filter((id) => !seen.has(id)), [], 'every event delivered, none evicted');
  const dropped = events.filter((m) => m.body.kind === 'dropped');
  t.ok(dropped.length > 0, 'dropped events reported upstream');
  const droppedTotal = dropped.reduce((n, m) => n + (m.body.val as number), 0);
  t.equal(droppedTotal, s.droppedReadings, 'dropped events add up to the evicted readings');
  t.match(String(dropped[0]!.body.msg), /^dropped \d+ readings from \d{4}-.* to \d{4}-/, 'says how many and from when to when');
  const delivered = new Set(platformSide.readingSeqs()).size;
  t.equal(delivered + droppedTotal, 40_000, 'every reading either delivered or reported dropped');
});
