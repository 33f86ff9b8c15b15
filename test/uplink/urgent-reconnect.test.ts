import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { freePort, waitFor } from '../helpers/net.js';
import { GATEWAY, fireAlarm, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, platform } from './harness.js';

const delays = (logger: ReturnType<typeof recordingLogger>) =>
  logger.lines.filter((l) => l.msg === 'uplink: reconnecting').map((l) => [l.obj.delayMs as number, l.obj.urgent as boolean]);

t.test('chosen delays: idle keeps the long backoff, waiting alarms cap it at a few seconds (random pinned to the top of each window)', async (t) => {
  const url = `mqtt://127.0.0.1:${await freePort()}`; // nothing listens: every attempt fails at once
  const make = (name: string, withAlarm: boolean) => {
    const outbox = Outbox.open({ path: join(tempDir(t), `${name}.db`) });
    t.teardown(() => outbox.close());
    if (withAlarm) outbox.appendEvent(fireAlarm(1));
    const logger = recordingLogger();
    const session = new UplinkSession({ platform: platform(url, { reconnectMinMs: 50, reconnectMaxMs: 60_000 }), gatewayId: GATEWAY, outbox, logger, random: () => 1 });
    t.teardown(() => session.stop());
    session.start();
    return { outbox, logger, session };
  };
  const idle = make('idle', false);
  const urgent = make('urgent', true);
  await waitFor(() => delays(idle.logger).length >= 6 && delays(urgent.logger).length >= 7, 15_000);
  t.same(delays(idle.logger).slice(0, 6), [[100, false], [200, false], [400, false], [800, false], [1600, false], [3200, false]], 'idle: exponential up to reconnectMaxMs');
  t.same(delays(urgent.logger).slice(0, 7), [[100, true], [200, true], [400, true], [800, true], [1600, true], [3000, true], [3000, true]], 'a fire alarm waits: never more than 3 s apart');
  t.equal(urgent.session.state().urgent, true);

  // The idle one's wait has grown past the urgent bound; a fire alarm committed now cuts it short.
  await waitFor(() => (idle.session.state().nextAttemptInMs ?? 0) > 3000, 10_000);
  t.equal(idle.session.state().urgent, false);
  idle.outbox.appendEvent(fireAlarm(2));
  const next = idle.session.state().nextAttemptInMs;
  t.ok(next !== null && next <= 3000, `re-armed to the urgent delay (${next} ms)`);
  t.equal(idle.session.state().urgent, true);
  t.ok(idle.logger.lines.some((l) => l.msg === 'uplink: an alarm or event waits; reconnecting sooner'), 'logged');
});

t.test('broker restart with the fleet backoff (reconnectMaxMs 60000): a fire alarm committed during the outage reaches the platform within seconds of the broker coming back', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/${GATEWAY}/events/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  // random 0.9: attempt n waits 500 + 0.9 * (min(60000, 500 * 2^(n+1)) - 500) ms: 950, 1850, 3650, 7250, ...
  const session = new UplinkSession({ platform: platform(broker.url, { reconnectMinMs: 500, reconnectMaxMs: 60_000 }), gatewayId: GATEWAY, outbox, random: () => 0.9 });
  t.teardown(() => session.stop());
  session.start();
  await waitFor(() => session.state().connected, 10_000);
  await broker.stop();
  await waitFor(() => (session.state().nextAttemptInMs ?? 0) > 3000, 15_000);
  t.pass(`idle: the next attempt is ${session.state().nextAttemptInMs} ms away`);
  outbox.appendEvent(fireAlarm(1, { id: 'fire-during-outage' }));
  t.ok((session.state().nextAttemptInMs ?? Infinity) <= 3000, `a fire alarm waits: next attempt in ${session.state().nextAttemptInMs} ms`);
  await broker.start();
  const back = performance.now();
  await sub.waitFor((s) => s.messages.some((m) => m.body.id === 'fire-during-outage'), 15_000);
  const ms = performance.now() - back;
  t.ok(ms < 8000, `the fire alarm reached the subscriber ${Math.round(ms)} ms after the broker came back`);
});
