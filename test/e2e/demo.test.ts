import mqtt from 'mqtt';
import t from 'tap';
import { demoCopy } from '../helpers/demo-config.js';
import { startHearth } from '../helpers/hearth-cli.js';
import { waitFor } from '../helpers/net.js';
import { decodeTelemetry, isTelemetryTopic } from '../helpers/telemetry.js';
import { eventsIn, isEventTopic } from '../helpers/platform-events.js';

/**
 * The README's first command: the demo. Run exactly as shipped (ports moved aside), it must show
 * readings in its log and deliver a fire alarm, with the device's location, to an MQTT subscriber
 * within 30 s, and readings within the telemetry interval (a minute, platform.telemetryIntervalMs:
 * the first batch leaves before the subscriber is there); and stop cleanly on SIGTERM with a
 * retained offline status.
 */
t.test('the demo delivers an alarm to a subscriber within 30 s, readings within a minute', { timeout: 150_000 }, async (t) => {
  const demo = await demoCopy();
  const started = Date.now();
  const hearth = startHearth(['run', '--config', demo.file]);
  t.teardown(() => hearth.stop());

  await waitFor(() => /hearth [\d.]+ running/.test(hearth.output()), 20_000).catch(() => {
    throw new Error('demo did not start:\n' + hearth.output());
  });
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${demo.brokerPort}`, { protocolVersion: 4, reconnectPeriod: 200 });
  t.teardown(() => sub.endAsync());
  const telemetry: { dev: string; pt: string; val: unknown }[] = [];
  const alarms: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  let status: Record<string, unknown> | undefined;
  sub.on('message', (topic, payload) => {
    // Telemetry comes in the default layout (compact columns, deflated): decoded as a platform would.
    if (isTelemetryTopic(topic)) return void telemetry.push(...decodeTelemetry(topic, payload));
    // Events too (compact, deflated against the published dictionary).
    if (isEventTopic(topic)) return void alarms.push(...eventsIn(topic, payload).filter((e) => e.kind === 'alarm'));
    if (topic.endsWith('/status')) status = JSON.parse(payload.toString());
  });
  await sub.subscribeAsync('hearth/v1/demo-gw-01/#', { qos: 1 });

  await waitFor(() => alarms.some((a) => a.sev === 'fire'), 30_000 - (Date.now() - started)).catch(() => {
    throw new Error(`no fire alarm within 30 s; got ${alarms.length} alarms, ${telemetry.length} readings\n${hearth.output()}`);
  });
  const fire = alarms.find((a) => a.sev === 'fire')!;
  await waitFor(() => telemetry.some((r) => r.dev === 'rcd-main') && telemetry.some((r) => r.dev === 'smoke-102'), 80_000).catch(() => {
    throw new Error(`no readings within 80 s; got ${telemetry.length}\n${hearth.output()}`);
  });
  t.equal(fire.dev, 'smoke-101');
  t.same(fire.loc, { building: 'Hepingli 3', floor: '1', room: '101 living room' }, 'the alarm says where');
  t.ok(telemetry.some((r) => r.dev === 'rcd-main' && r.pt === 'residual_current' && typeof r.val === 'number'), 'residual current readings arrive');
  t.ok(telemetry.some((r) => r.dev === 'smoke-102'), 'smoke detector readings arrive (what moved beyond its deadband)');
  t.equal(status?.state, 'online');
  t.match(hearth.output(), /reading smoke-101: smoke_density=/, 'the log shows readings');
  t.match(hearth.output(), /ALARM .*smoke-101|smoke-101.*ALARM|ALARM fire_alarm/, 'the log shows the alarm');

  t.equal(await hearth.stop(), 0, 'SIGTERM: exit 0');
});
