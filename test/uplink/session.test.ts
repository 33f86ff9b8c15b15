import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { fault, fireAlarm, reading, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, platform } from './harness.js';

// Everyone may publish status and telemetry; nobody may publish events of gateway `gw-denied`.
const broker = await Mosquitto.start({
  acl: [
    `topic read ${PREFIX}/#`,
    `topic write ${PREFIX}/+/status`,
    `topic write ${PREFIX}/+/telemetry`,
    `topic write ${PREFIX}/gw-open/events/#`,
    '',
  ].join('\n'),
});
t.teardown(() => broker.close());

t.test('warns about plain-text MQTT and sends heartbeats', async (t) => {
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/gw-open/status`);
  t.teardown(() => sub.close());
  const logger = recordingLogger();
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const session = new UplinkSession({ platform: platform(broker.url, { heartbeatMs: 50 }), gatewayId: 'gw-open', outbox, logger });
  t.teardown(() => session.stop());
  session.start();
  t.ok(logger.lines.some((l) => l.level === 'warn' && /plain-text/.test(l.msg)), 'plain-text warning');
  await sub.waitFor((s) => s.messages.filter((m) => m.body.state === 'online').length >= 4, 3000);
  t.pass('online status repeated by the heartbeat');
});

t.test('a publish the broker refuses (negative PUBACK) stays in the outbox: parked if refused for good, a fire alarm retried', async (t) => {
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 10 });
  t.teardown(() => outbox.close());
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/gw-denied/#`);
  t.teardown(() => sub.close());
  const session = new UplinkSession({ platform: platform(broker.url), gatewayId: 'gw-denied', outbox });
  t.teardown(() => session.stop());
  outbox.appendEvent(fault(1));
  outbox.appendReading(reading(2, { gatewayId: 'gw-denied' }));
  session.start();
  const explain = (what: string) => (err: Error) => {
    throw new Error(`${what}: ${err.message}; state ${JSON.stringify(session.state())}; stats ${JSON.stringify(outbox.stats())}`);
  };
  await waitFor(() => session.state().counters.rejected >= 1).catch(explain('no refusal'));
  await sub.waitFor((s) => s.on('/telemetry').length >= 1).catch(explain('no telemetry'));
  // The platform may see the message before the gateway has processed the PUBACK.
  await waitFor(() => (outbox.flush(), outbox.stats().depth.telemetry === 0), 5000).catch(() => undefined);
  const s = outbox.stats();
  t.ok(s.parked >= 1, `the refused event is kept, parked (${JSON.stringify(s)})`);
  t.equal(s.depth.telemetry, 0, `telemetry, which the broker accepted, is gone ${JSON.stringify(s)}`);
  t.equal(sub.on('/events/fault').length, 0);
  outbox.appendEvent(fireAlarm(3, { gatewayId: 'gw-denied' }));
  const before = session.state().counters.rejected;
  await waitFor(() => session.state().counters.rejected >= before + 2, 10_000).catch(explain('fire alarm not retried'));
  t.equal(outbox.stats().depth.fire, 1, 'a refused fire alarm is retried, never parked');
});
