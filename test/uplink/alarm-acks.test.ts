import { join } from 'node:path';
import { mock } from 'node:test';
import mqtt from 'mqtt';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { ALARM_ACK_TIMEOUT_MS, AlarmAckMonitor, UplinkSession, type AlarmAckState } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fireAlarm, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, platform } from './harness.js';

function recordingLogger() {
  const lines: { level: string; msg: string | undefined }[] = [];
  const at = (level: string) => (_obj: object, msg?: string) => void lines.push({ level, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

t.test('no acknowledgement within 100 s (EN 54-21): local fault until acknowledged', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.teardown(() => mock.timers.reset());
  const changes: AlarmAckState[] = [];
  const logger = recordingLogger();
  const m = new AlarmAckMonitor({ logger, onFaultChange: (s) => changes.push(s) });
  t.equal(ALARM_ACK_TIMEOUT_MS, 100_000);
  m.sent({ id: 'a1', deviceId: 'smoke-1' });
  t.same(m.state(), { fault: false, pending: [{ id: 'a1', deviceId: 'smoke-1', sentAt: 0, overdue: false }] }, 'waiting for the ack');
  mock.timers.tick(99_999);
  t.equal(m.state().fault, false, 'not yet at 99.999 s');
  t.equal(changes.length, 0);
  mock.timers.tick(1);
  t.equal(m.state().fault, true, 'fault at 100 s');
  t.equal(changes.length, 1, 'callback fired once');
  t.equal(changes[0]!.fault, true);
  t.ok(logger.lines.some((l) => l.level === 'error' && /not acknowledged/.test(l.msg ?? '')), 'logged as a fault');
  // A resend does not restart the clock, and a second overdue alarm does not fire the hook again.
  m.sent({ id: 'a1', deviceId: 'smoke-1' });
  m.sent({ id: 'a2', deviceId: 'smoke-2' });
  mock.timers.tick(100_000);
  t.same(m.state().pending.map((p) => [p.id, p.overdue]), [['a1', true], ['a2', true]]);
  t.equal(changes.length, 1, 'the indication was already on');
  t.equal(m.acknowledged(['a1', 'unknown']), 1, 'unknown ids are ignored');
  t.equal(m.state().fault, true, 'still on while another alarm is overdue');
  t.equal(m.acknowledged(['a2']), 1);
  t.same(m.state(), { fault: false, pending: [] }, 'cleared');
  t.equal(changes.length, 2);
  t.equal(changes[1]!.fault, false, 'callback fired on clearing');
});

t.test('an alarm acknowledged in time never raises the fault; a throwing hook is contained', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.teardown(() => mock.timers.reset());
  const m = new AlarmAckMonitor({ logger: recordingLogger(), timeoutMs: 1000, onFaultChange: () => { throw new Error('gpio'); } });
  m.sent({ id: 'a1', deviceId: 'smoke-1' });
  mock.timers.tick(999);
  m.acknowledged(['a1']);
  mock.timers.tick(5000);
  t.same(m.state(), { fault: false, pending: [] });
  m.sent({ id: 'a2', deviceId: 'smoke-1' });
  t.doesNotThrow(() => mock.timers.tick(1000), 'a failing fault output does not crash the monitor');
  t.equal(m.state().fault, true);
  m.stop();
});

t.test('end to end with Mosquitto: fault after the timeout, cleared by the platform ack on <prefix>/<gw>/ack', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/${GATEWAY}/events/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const changes: boolean[] = [];
  const session = new UplinkSession({
    platform: platform(broker.url),
    gatewayId: GATEWAY,
    outbox,
    alarmAckTimeoutMs: 400,
    onAlarmAckFault: (s) => changes.push(s.fault),
  });
  t.teardown(() => session.stop());
  session.start();
  await waitFor(() => session.state().connected, 10_000);
  outbox.appendEvent(fireAlarm(1, { id: 'fire-1' }));
  await sub.waitFor((s) => s.messages.some((m) => m.body.id === 'fire-1'));
  t.equal(session.alarmAckState().pending.length, 1, 'the sent alarm awaits the platform ack');
  await waitFor(() => session.state().alarmAcks.fault, 10_000);
  t.same(changes, [true], 'fault indication on');

  const platformClient = await mqtt.connectAsync(broker.url);
  t.teardown(() => platformClient.endAsync(true));
  await platformClient.publishAsync(`${PREFIX}/${GATEWAY}/ack`, 'not json', { qos: 1 });
  await waitFor(() => session.state().badAcks === 1, 10_000);
  t.equal(session.state().alarmAcks.fault, true, 'an unreadable ack changes nothing');
  await platformClient.publishAsync(`${PREFIX}/${GATEWAY}/ack`, JSON.stringify({ v: 1, ids: ['fire-1'] }), { qos: 1 });
  await waitFor(() => !session.state().alarmAcks.fault, 10_000);
  t.same(changes, [true, false], 'fault indication off after the ack');
  t.same(session.alarmAckState().pending, []);

  // Acked in time: no fault at all.
  outbox.appendEvent(fireAlarm(2, { id: 'fire-2' }));
  await sub.waitFor((s) => s.messages.some((m) => m.body.id === 'fire-2'));
  await platformClient.publishAsync(`${PREFIX}/${GATEWAY}/ack`, JSON.stringify({ v: 1, ids: ['fire-2'] }), { qos: 1 });
  await waitFor(() => session.alarmAckState().pending.length === 0, 10_000);
  await new Promise((r) => setTimeout(r, 600));
  t.same(changes, [true, false], 'an alarm acknowledged in time raised no fault');
});
