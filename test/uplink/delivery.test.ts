import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fault, fireAlarm, reading, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, missing, platform, range, schemaFor } from './harness.js';
import { sibling } from '../helpers/repo.js';
import { nodeArgsFor } from '../helpers/node-entry.js';

const broker = await Mosquitto.start();
t.teardown(() => broker.close());

t.test('delivers events and telemetry on the native topics, valid against the schemas', async (t) => {
  const sub = await Subscriber.connect(broker.url);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 20 });
  t.teardown(() => outbox.close());
  for (const s of range(1, 120)) outbox.appendReading(reading(s));
  outbox.appendEvent(fault(121));
  outbox.appendEvent(fireAlarm(122));
  const session = new UplinkSession({ platform: platform(broker.url), gatewayId: GATEWAY, outbox, version: '9.9.9' });
  session.start();
  t.teardown(() => session.stop());

  await sub.waitFor((s) => missing(s.readingSeqs(), range(1, 120)).length === 0 && s.on('/events/alarm').length === 1);
  for (const m of sub.messages) t.ok(schemaFor(m.topic)(m.body), `${m.topic} valid: ${JSON.stringify(schemaFor(m.topic).errors)}`);

  const topics = new Set(sub.messages.map((m) => m.topic));
  t.ok(topics.has(`${PREFIX}/${GATEWAY}/status`));
  t.ok(topics.has(`${PREFIX}/${GATEWAY}/telemetry`));
  t.ok(topics.has(`${PREFIX}/${GATEWAY}/events/fault`));
  t.ok(topics.has(`${PREFIX}/${GATEWAY}/events/alarm`));
  const order = sub.messages.filter((m) => !m.topic.endsWith('/status')).map((m) => m.topic.split('/').pop());
  t.same(order.slice(0, 2), ['alarm', 'fault'], 'the fire alarm first, then the fault, then telemetry');
  t.ok(
    sub.on('/telemetry').every((m) => (m.body.readings as unknown[]).length <= 50),
    'batches respect batchMaxReadings',
  );

  await waitFor(() => {
    outbox.flush();
    return outbox.stats().total === 0;
  });
  const st = session.state();
  t.equal(st.connected, true);
  t.equal(st.counters.deliveredRecords, 122, 'every record acked once');
  t.equal(st.counters.published, st.counters.delivered);
});

t.test('retained online status on connect, retained offline status on stop', async (t) => {
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const gw = 'gw-status';
  const session = new UplinkSession({ platform: platform(broker.url), gatewayId: gw, outbox, version: '9.9.9' });
  session.start();
  await waitFor(() => session.state().connected);

  // A subscriber that arrives later gets the retained status.
  const late = await Subscriber.connect(broker.url, `${PREFIX}/${gw}/status`);
  t.teardown(() => late.close());
  await late.waitFor((s) => s.messages.length >= 1);
  t.match(late.messages[0], { retain: true, body: { state: 'online', gw, version: '9.9.9', outbox: { fire: 0 } } });

  await session.stop();
  t.equal(session.state().connected, false);
  await late.waitFor((s) => s.messages.some((m) => m.body.state === 'offline'));
  const again = await Subscriber.connect(broker.url, `${PREFIX}/${gw}/status`);
  t.teardown(() => again.close());
  await again.waitFor((s) => s.messages.length >= 1);
  t.match(again.messages[0], { retain: true, body: { state: 'offline' } }, 'offline is what stays retained');
});

t.test('the last will (retained offline) is published when the gateway is killed', async (t) => {
  const gw = 'gw-will';
  const child = spawn(
    process.execPath,
    [...nodeArgsFor(sibling(import.meta.url, './uplink-child.ts')), broker.url, join(tempDir(t), 'o.db'), gw],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('connected') && resolve());
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/${gw}/status`);
  t.teardown(() => sub.close());
  await sub.waitFor((s) => s.messages.some((m) => m.body.state === 'online'));

  child.kill('SIGKILL');
  await sub.waitFor((s) => s.messages.some((m) => m.body.state === 'offline'), 5000);
  const offline = sub.messages.find((m) => m.body.state === 'offline')!;
  t.ok(schemaFor(offline.topic)(offline.body));
  t.notOk('outbox' in offline.body, 'the will carries no outbox figures');

  const later = await Subscriber.connect(broker.url, `${PREFIX}/${gw}/status`);
  t.teardown(() => later.close());
  await later.waitFor((s) => s.messages.length >= 1);
  t.match(later.messages[0], { retain: true, body: { state: 'offline' } }, 'the will was retained');
});
