import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fireAlarm, reading, tempDir } from '../outbox/fixtures.js';
import { Subscriber, missing, platform, range } from './harness.js';

const broker = await Mosquitto.start();
t.teardown(() => broker.close());

t.test('a fire alarm appended during a large telemetry backlog arrives before the backlog is done', async (t) => {
  const sub = await Subscriber.connect(broker.url);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), maxBufferedReadings: 5000 });
  t.teardown(() => outbox.close());
  const backlog = 20_000;
  for (const s of range(1, backlog)) outbox.appendReading(reading(s));
  outbox.flush();
  // 20 readings per message: a backlog of 1000 telemetry messages.
  const session = new UplinkSession({
    platform: platform(broker.url, { batchMaxReadings: 20, inflightWindow: 8 }),
    gatewayId: GATEWAY,
    outbox,
  });
  t.teardown(() => session.stop());
  session.start();

  await sub.waitFor((s) => s.on('/telemetry').length >= 20);
  outbox.appendEvent(fireAlarm(backlog + 1));
  await sub.waitFor((s) => missing(s.readingSeqs(), range(1, backlog)).length === 0 && s.on('/events/alarm').length === 1, 20_000);

  const kinds = sub.messages.filter((m) => !m.topic.endsWith('/status')).map((m) => (m.topic.endsWith('/telemetry') ? 'T' : 'A'));
  const alarmAt = kinds.indexOf('A');
  const telemetryAfter = kinds.slice(alarmAt + 1).filter((k) => k === 'T').length;
  t.ok(telemetryAfter > 0, `the alarm overtook the backlog: ${telemetryAfter} of ${kinds.length - 1} telemetry messages came after it`);
  t.ok(alarmAt < kinds.length / 2, `the alarm arrived early in the drain (message ${alarmAt})`);
});

t.test('a new record wakes the drain at once (no polling interval)', async (t) => {
  const sub = await Subscriber.connect(broker.url);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const session = new UplinkSession({ platform: platform(broker.url), gatewayId: 'gw-latency', outbox });
  t.teardown(() => session.stop());
  session.start();
  await waitFor(() => session.state().connected);
  await sub.waitFor((s) => s.on('gw-latency/status').length >= 1);

  const latencies: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const t0 = performance.now();
    outbox.appendEvent(fireAlarm(i, { id: `lat-${i}` }));
    await sub.waitFor((s) => s.messages.some((m) => m.body.id === `lat-${i}`), 2000);
    latencies.push(performance.now() - t0);
  }
  const worst = Math.max(...latencies);
  t.ok(worst < 250, `append → subscriber in ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
});
