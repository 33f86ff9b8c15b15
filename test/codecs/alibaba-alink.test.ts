import t from 'tap';
import { AlibabaAlinkCodec, alinkConnectParams, alinkSign } from '../../src/uplink/codecs/alibaba-alink.js';
import type { Codec } from '../../src/uplink/codec.js';
import { fireAlarm, reading } from '../outbox/fixtures.js';
import { waitFor } from '../helpers/net.js';
import { broker, PlatformSide, secretFile, session } from './harness.js';
import { recordingLogger } from '../helpers/recording-logger.js';

const NOW = 1_770_000_000_000;

t.test('Alink over a real Mosquitto: signed CONNECT, topo add <= 10, batch login <= 50 at QoS 0, pack post <= 20, events, service calls', async (t) => {
  const gwSecret = secretFile(t, 'gw-secret');
  const subSecret = secretFile(t, 'sub-secret');
  const devices = Array.from({ length: 60 }, (_, i) => ({ id: `rcd-${i + 1}` }));
  const subDevices = Object.fromEntries(devices.map((d) => [d.id, { productKey: 'subPK', deviceName: d.id, deviceSecretFile: subSecret }]));
  const creds = alinkConnectParams({ productKey: 'gwPK', deviceName: 'gw01' }, 'gw-secret', NOW, false);
  const b = await broker(t, { [creds.username]: creds.password });
  const side = await PlatformSide.connect(t, b.url, ['/sys/#', '/ext/#'], { username: 'platform', password: 'platform-pw' });
  const codec = new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: gwSecret, tls: false, devices, subDevices, gatewayId: 'gw-test', version: '1', now: () => NOW });
  const { outbox, session: s } = session(t, b.url, codec, { now: () => NOW, mqtt311: true });
  for (let i = 0; i < 45; i++) outbox.appendReading(reading(i + 1, { deviceId: `rcd-${(i % 60) + 1}` }));
  outbox.appendEvent(fireAlarm(500, { deviceId: 'rcd-2' }));
  s.start();

  const pack = () => side.json('/sys/gwPK/gw01/thing/event/property/pack/post');
  await side.until(() => pack().flatMap((m) => (m.params as { subDevices: unknown[] }).subDevices).length >= 45 && side.on('/sys/subPK/rcd-2/thing/event/alarm/post').length === 1);
  t.equal(s.state().connects, 1, 'the broker accepted the signed user name and password');

  const topo = side.json('/sys/gwPK/gw01/thing/topo/add');
  t.same(topo.map((m) => (m.params as unknown[]).length), [10, 10, 10, 10, 10, 10]);
  const ts = String(NOW);
  t.match(topo[0], { version: '1.0', method: 'thing.topo.add', sys: { ack: 0 } });
  t.same((topo[0]!.params as unknown[])[0], {
    deviceName: 'rcd-1', productKey: 'subPK', signmethod: 'hmacSha256', timestamp: ts, clientId: 'subPK.rcd-1',
    sign: alinkSign({ clientId: 'subPK.rcd-1', deviceName: 'rcd-1', productKey: 'subPK', timestamp: ts }, 'sub-secret'),
  });
  const logins = side.on('/ext/session/gwPK/gw01/combine/batch_login');
  t.same(logins.map((m) => (JSON.parse(m.text) as { params: { deviceList: unknown[] } }).params.deviceList.length), [50, 10]);
  t.same(logins.map((m) => m.qos), [0, 0], 'sub-device login is QoS 0 only (platform rule)');
  for (const m of pack()) t.ok((m.params as { subDevices: unknown[] }).subDevices.length <= 20, 'pack post holds at most 20 sub-device entries');
  t.same((pack()[0]!.params as { subDevices: unknown[] }).subDevices[0], {
    identity: { productKey: 'subPK', deviceName: 'rcd-1' },
    properties: { leakage: { value: 121, time: Date.UTC(2026, 0, 1) + 1 } },
  });
  const ev = side.json('/sys/subPK/rcd-2/thing/event/alarm/post')[0]!;
  t.match(ev, { version: '1.0', method: 'thing.event.alarm.post', params: { value: { eventId: 'ev-500', severity: 'fire', device: 'rcd-2' } } });

  await side.client.publishAsync('/sys/subPK/rcd-9/thing/service/read_device', JSON.stringify({ id: '77', version: '1.0', params: { ts: NOW }, method: 'thing.service.read_device' }), { qos: 1 });
  await side.until(() => side.on('/sys/subPK/rcd-9/thing/service/read_device_reply').length === 1);
  t.same(side.json('/sys/subPK/rcd-9/thing/service/read_device_reply')[0], { id: '77', code: 200, data: { code: 'ok', echo: 'read_device' } });
});

t.test('Alink: a synchronous service arrives as RRPC and is answered on the same topic at QoS 0; the answer coming back is not a command', async (t) => {
  const gwSecret = secretFile(t, 'gw-secret');
  const creds = alinkConnectParams({ productKey: 'gwPK', deviceName: 'gw01' }, 'gw-secret', NOW, false);
  const b = await broker(t, { [creds.username]: creds.password });
  const side = await PlatformSide.connect(t, b.url, ['/sys/#', '/ext/#'], { username: 'platform', password: 'platform-pw' });
  const subDevices = { 'rcd-1': { productKey: 'subPK', deviceName: 'rcd-1', deviceSecretFile: gwSecret } };
  const codec = new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: gwSecret, tls: false, devices: [{ id: 'rcd-1' }], subDevices, gatewayId: 'gw-test', version: '1', now: () => NOW });
  const logger = recordingLogger();
  const { session: s, commands } = session(t, b.url, codec, { now: () => NOW, mqtt311: true, logger });
  s.start();
  await side.until(() => s.state().connected && side.on('/sys/gwPK/gw01/thing/event/property/post').length === 1);
  await new Promise((r) => setTimeout(r, 200));
  const topic = '/ext/rrpc/1789/sys/subPK/rcd-1/thing/service/read_device';
  await side.client.publishAsync(topic, JSON.stringify({ id: '88', version: '1.0', params: {}, method: 'thing.service.read_device' }), { qos: 0 });
  await side.until(() => side.on(topic).length === 2);
  await new Promise((r) => setTimeout(r, 300));
  const answer = side.on(topic)[1]!;
  t.same(JSON.parse(answer.text), { id: '88', code: 200, data: { code: 'ok', echo: 'read_device' } });
  t.equal(answer.qos, 0, 'RRPC answers are QoS 0 only');
  t.equal(commands.length, 1, 'the answer that came back on the same topic was not taken for a command');
  t.match(commands[0], { name: 'read_device', deviceId: 'rcd-1' });
  t.notOk(logger.lines.some((l) => /unreadable/.test(l.msg)));
});

t.test('Alink: message ids stay unique across restarts (time-based start, counting up) and are at most 4294967295', async (t) => {
  const secret = secretFile(t, 's');
  const make = (now: number) => new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: secret, tls: true, devices: [], subDevices: {}, gatewayId: 'gw-test', version: '1', now: () => now });
  const ids = (codec: AlibabaAlinkCodec, n: number) => Array.from({ length: n }, () => (JSON.parse(String(codec.encodeStatus({ state: 'online', ts: NOW, synced: true }).payload)) as { id: string }).id);
  // A run that sent 500 requests, restarted 1 s later (a crash loop restarts about that fast).
  const first = ids(make(NOW), 500);
  const second = ids(make(NOW + 1000), 500);
  t.equal(new Set([...first, ...second]).size, 1000, 'no id of the run before is reused');
  t.same([...first, ...second].filter((id) => !/^[0-9]{1,10}$/.test(id) || Number(id) > 4294967295), [], 'every id is a string of digits, 0..4294967295');
  t.equal((make(NOW) as Codec).willMessage, undefined, 'no will: Alibaba supports none');
  t.same(make(NOW).rules, { ...make(NOW).rules, will: false, retain: false, defaultMqttVersion: '3.1.1' });
});

t.test('Alink: the answers to topology add and sub-device login are subscribed; a refused login is logged', async (t) => {
  const gwSecret = secretFile(t, 'gw-secret');
  const creds = alinkConnectParams({ productKey: 'gwPK', deviceName: 'gw01' }, 'gw-secret', NOW, false);
  const b = await broker(t, { [creds.username]: creds.password });
  const side = await PlatformSide.connect(t, b.url, ['/sys/#', '/ext/#'], { username: 'platform', password: 'platform-pw' });
  const subDevices = { 'rcd-1': { productKey: 'subPK', deviceName: 'rcd-1', deviceSecretFile: gwSecret } };
  const codec = new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: gwSecret, tls: false, devices: [{ id: 'rcd-1' }], subDevices, gatewayId: 'gw-test', version: '1', now: () => NOW });
  const logger = recordingLogger();
  const { session: s } = session(t, b.url, codec, { now: () => NOW, mqtt311: true, logger });
  s.start();
  await side.until(() => side.on('/ext/session/gwPK/gw01/combine/batch_login').length === 1);
  await new Promise((r) => setTimeout(r, 200));
  const login = JSON.parse(side.on('/ext/session/gwPK/gw01/combine/batch_login')[0]!.text) as { id: string };
  await side.client.publishAsync('/sys/gwPK/gw01/thing/topo/add_reply', JSON.stringify({ id: '1', code: 200, message: 'success', data: [{ productKey: 'subPK', deviceName: 'rcd-1' }] }), { qos: 0 });
  await side.client.publishAsync('/ext/session/gwPK/gw01/combine/batch_login_reply', JSON.stringify({ id: login.id, code: 6401, message: 'topo relation not exist', data: [{ productKey: 'subPK', deviceName: 'rcd-1' }] }), { qos: 0 });
  await waitFor(() => logger.lines.some((l) => l.msg === 'uplink: the platform refused part of a request'), 10_000);
  t.match(logger.lines.find((l) => l.msg === 'uplink: the platform refused part of a request')!.obj, { what: 'combine.batch_login_reply', failed: [{ id: 'rcd-1', code: '6401', message: 'topo relation not exist' }] });
  t.ok(logger.lines.some((l) => l.level === 'debug' && (l.obj as { what?: string }).what === 'thing.topo.add_reply'), 'a successful add is noted at debug level');
});
