import t from 'tap';
import { ThingsBoardCodec } from '../../src/uplink/codecs/thingsboard.js';
import { fireAlarm, reading } from '../outbox/fixtures.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { PlatformSide, secretFile, session } from './harness.js';
import { recordingLogger } from '../helpers/recording-logger.js';

t.test('ThingsBoard gateway API over a real Mosquitto: token auth, connect, telemetry, events, RPC both ways', async (t) => {
  // ThingsBoard takes the token as the user name with no password; Mosquitto's password file cannot
  // express that, so the broker is anonymous here and the user name is checked on the codec.
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const side = await PlatformSide.connect(t, b.url, ['v1/#'], { username: 'platform', password: 'x' });
  const codec = new ThingsBoardCodec({ gatewayId: 'gw-test', version: '2', devices: [{ id: 'smoke-1', kind: 'acme-sd100' }, { id: 'rcd-1', kind: 'rcd' }], accessTokenFile: secretFile(t, 'TB-ACCESS-TOKEN'), deviceNamePrefix: 'hausB.' });
  const { outbox, session: s } = session(t, b.url, codec, { mqtt311: true });
  outbox.appendReading(reading(1));
  outbox.appendReading(reading(2, { point: 'temperature', value: 31, ts: Date.UTC(2026, 0, 1) + 1 }));
  outbox.appendReading(reading(3, { deviceId: 'smoke-1', point: 'smoke', value: false }));
  outbox.appendEvent(fireAlarm(4));
  s.start();
  await side.until(() => side.on('v1/gateway/telemetry').length >= 2 && side.on('v1/gateway/connect').length === 2);
  t.equal(s.state().connects, 1);
  t.same(codec.connectCredentials(), { username: 'TB-ACCESS-TOKEN' }, 'the access token is the MQTT user name');
  t.same(side.json('v1/gateway/connect'), [{ device: 'hausB.smoke-1', type: 'acme-sd100' }, { device: 'hausB.rcd-1', type: 'rcd' }]);
  const telemetry = side.json('v1/gateway/telemetry');
  const merged: Record<string, unknown[]> = {};
  for (const m of telemetry) for (const [dev, rows] of Object.entries(m)) (merged[dev] ??= []).push(...(rows as unknown[]));
  const base = Date.UTC(2026, 0, 1);
  t.same(merged['hausB.rcd-1'], [{ ts: base + 1, values: { leakage: 121, temperature: 31 } }], 'readings of one poll share one ts entry');
  t.same(merged['hausB.smoke-1']!.filter((r) => !JSON.stringify(r).includes('event_')), [{ ts: base + 3, values: { smoke: false } }]);
  const alarm = telemetry.find((m) => JSON.stringify(m).includes('event_eventId'))!;
  t.match(alarm, { 'hausB.smoke-1': [{ values: { event_eventId: 'ev-4', event_kind: 'alarm', event_severity: 'fire' } }] });
  t.match(side.json('v1/devices/me/attributes')[0], { state: 'online', gatewayId: 'gw-test', version: '2' });

  await side.client.publishAsync('v1/gateway/rpc', JSON.stringify({ device: 'hausB.rcd-1', data: { id: 5, method: 'read_device', params: { ts: 1 } } }), { qos: 1 });
  await side.client.publishAsync('v1/devices/me/rpc/request/9', JSON.stringify({ method: 'commissioning_report', params: { ts: 1 } }), { qos: 1 });
  await side.until(() => side.json('v1/gateway/rpc').some((m) => 'id' in m) && side.on('v1/devices/me/rpc/response/9').length === 1);
  t.same(side.json('v1/gateway/rpc').find((m) => 'id' in m), { device: 'hausB.rcd-1', id: 5, data: { success: true, code: 'ok', echo: 'read_device' } });
  t.same(side.json('v1/devices/me/rpc/response/9')[0], { success: true, code: 'ok', echo: 'commissioning_report' });
});

t.test('ThingsBoard: its own RPC replies come back on v1/gateway/rpc and are ignored silently; status history; disconnect on stop', async (t) => {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const side = await PlatformSide.connect(t, b.url, ['v1/#'], { username: 'platform', password: 'x' });
  const codec = new ThingsBoardCodec({ gatewayId: 'gw-test', version: '2', devices: [{ id: 'smoke-1', kind: 'acme-sd100' }, { id: 'rcd-1', kind: 'rcd' }] });
  const logger = recordingLogger();
  const { session: s, commands } = session(t, b.url, codec, { mqtt311: true, logger });
  s.start();
  await side.until(() => side.on('v1/gateway/connect').length === 2);
  await new Promise((r) => setTimeout(r, 200));
  await side.client.publishAsync('v1/gateway/rpc', JSON.stringify({ device: 'rcd-1', data: { id: 1, method: 'read_device', params: {} } }), { qos: 1 });
  await side.until(() => side.json('v1/gateway/rpc').some((m) => 'id' in m));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(commands.length, 1, 'the reply that came back was not taken for a command');
  t.same(logger.lines.filter((l) => l.level !== 'info' && l.level !== 'debug' && !/plain-text/.test(l.msg)), [], 'nothing logged as unreadable');
  // Attributes keep only the latest value: the status also goes as telemetry of the gateway device.
  t.match(side.json('v1/devices/me/telemetry'), [{ values: { state: 'online', gatewayId: 'gw-test', version: '2' } }]);
  t.equal(side.json('v1/devices/me/attributes').length, 1);
  await s.stop();
  await side.until(() => side.on('v1/gateway/disconnect').length === 2 && side.json('v1/devices/me/attributes').length === 2);
  t.same(side.json('v1/gateway/disconnect'), [{ device: 'smoke-1' }, { device: 'rcd-1' }], 'every field device disconnected on an orderly stop');
  t.match(side.json('v1/devices/me/attributes')[1], { state: 'offline' });
  t.match(side.json('v1/devices/me/telemetry')[1], { values: { state: 'offline' } });
});

t.test('ThingsBoard: RPC ids restart with ThingsBoard; the id only routes the answer (replay is judged on the signed payload)', async (t) => {
  const codec = new ThingsBoardCodec({ gatewayId: 'gw-test', version: '2', devices: [{ id: 'rcd-1' }] });
  const before = codec.decodeCommand('v1/gateway/rpc', Buffer.from(JSON.stringify({ device: 'rcd-1', data: { id: 1, method: 'read_device', params: { a: 1 } } })))!;
  const after = codec.decodeCommand('v1/gateway/rpc', Buffer.from(JSON.stringify({ device: 'rcd-1', data: { id: 1, method: 'read_device', params: { a: 2 } } })))!;
  t.equal(before.id, after.id, 'the same id after a ThingsBoard restart');
  t.notSame(before.params, after.params, 'two different commands: nothing keys on the id (src/remote/dispatcher.ts keys on the signed digest)');
  t.equal(codec.decodeCommand('v1/gateway/rpc', Buffer.from('{"device":"rcd-1","id":1,"data":{"success":true,"code":"ok"}}')), undefined, 'an own reply is not a command');
  t.throws(() => codec.decodeCommand('v1/gateway/rpc', Buffer.from('{"device":"rcd-1"}')), 'a payload that is neither still counts as unreadable');
});
