import t from 'tap';
import { HuaweiIotdaCodec, iotdaConnectParams } from '../../src/uplink/codecs/huawei-iotda.js';
import { fireAlarm, reading } from '../outbox/fixtures.js';
import { waitFor } from '../helpers/net.js';
import { broker, PlatformSide, secretFile, session } from './harness.js';

const NOW = Date.UTC(2026, 4, 6, 7, 15, 0);
const GW = 'prodA_gw-test';
const devices = Array.from({ length: 150 }, (_, i) => ({ id: `smoke-${i + 1}`, kind: 'acme-sd100' }));
const creds = iotdaConnectParams(GW, 's3cret-key', NOW);

t.test('IoTDA over a real Mosquitto: signed CONNECT, sub-devices in batches, readings <= 100 devices per report, events, commands', async (t) => {
  const b = await broker(t, { [GW]: creds.password });
  const side = await PlatformSide.connect(t, b.url, [`$oc/devices/${GW}/sys/#`], { username: 'platform', password: 'platform-pw' });
  const codec = new HuaweiIotdaCodec({ deviceId: GW, secretFile: secretFile(t, 's3cret-key'), productId: 'prodS', serviceId: 'hearth', devices, gatewayId: 'gw-test', version: '1.2.3', now: () => NOW, newId: () => 'ev-fixed' });
  const { outbox, session: s } = session(t, b.url, codec, { now: () => NOW });
  for (let i = 0; i < 150; i++) outbox.appendReading(reading(i + 1, { deviceId: `smoke-${i + 1}`, point: 'smoke_density', value: 0.01, unit: 'dB/m' }));
  outbox.appendEvent(fireAlarm(1000, { deviceId: 'smoke-7' }));
  s.start();

  const base = `$oc/devices/${GW}/sys`;
  const reports = () => side.json(`${base}/gateway/sub_devices/properties/report`);
  await side.until(() => reports().flatMap((r) => r.devices as unknown[]).length >= 150 && side.on(`${base}/messages/up`).length >= 1);
  t.equal(s.state().connects, 1, 'the broker accepted the HMAC-SHA256 password for the hour timestamp');

  const up = side.json(`${base}/events/up`);
  const adds = up.filter((m) => (m.services as { event_type: string }[])[0]!.event_type === 'add_sub_device_request');
  const statuses = up.filter((m) => (m.services as { event_type: string }[])[0]!.event_type === 'sub_device_update_status');
  t.same(adds.map((m) => (m.services as { paras: { devices: unknown[] } }[])[0]!.paras.devices.length), [50, 50, 50]);
  t.same(statuses.map((m) => (m.services as { paras: { device_statuses: unknown[] } }[])[0]!.paras.device_statuses.length), [100, 50]);
  t.same(adds[0], {
    services: [{
      service_id: '$sub_device_manager', event_type: 'add_sub_device_request', event_time: '20260506T071500Z', event_id: 'ev-fixed',
      paras: { devices: devices.slice(0, 50).map((d) => ({ node_id: d.id, product_id: 'prodS', name: d.id, description: 'acme-sd100' })) },
    }],
  });
  t.same((statuses[0]!.services as { paras: { device_statuses: unknown[] } }[])[0]!.paras.device_statuses[0], { device_id: 'prodS_smoke-1', status: 'ONLINE' });

  for (const r of reports()) t.ok((r.devices as unknown[]).length <= 100, 'a report names at most 100 sub-devices');
  t.ok(reports().length >= 2, 'the 150 devices were split over several reports');
  t.same((reports()[0]!.devices as unknown[])[0], {
    device_id: 'prodS_smoke-1',
    services: [{ service_id: 'hearth', properties: { smoke_density: 0.01 }, event_time: new Date(Date.UTC(2026, 0, 1) + 1).toISOString() }],
  });
  const alarm = side.json(`${base}/messages/up`)[0]!;
  t.equal(alarm.object_device_id, 'prodS_smoke-7');
  t.equal(alarm.name, 'alarm');
  t.equal(alarm.id, 'ev-1000');
  t.match(alarm.content, { eventId: 'ev-1000', kind: 'alarm', severity: 'fire', device: 'smoke-7' });
  const status = side.json(`${base}/properties/report`)[0]!;
  t.match(status, { services: [{ service_id: 'hearth', properties: { state: 'online', gatewayId: 'gw-test', version: '1.2.3' } }] });

  // A command addressed to a sub-device, answered on the response topic with the same request_id.
  await side.client.publishAsync(`${base}/commands/request_id=req-42`, JSON.stringify({ object_device_id: 'prodS_smoke-3', command_name: 'read_device', service_id: 'hearth', paras: { ts: NOW } }), { qos: 1 });
  await side.until(() => side.on(`${base}/commands/response/request_id=req-42`).length === 1);
  t.same(side.json(`${base}/commands/response/request_id=req-42`)[0], { result_code: 0, response_name: 'read_device', paras: { code: 'ok', echo: 'read_device' } });
});

t.test('IoTDA: a wrong secret is refused by the broker', async (t) => {
  const b = await broker(t, { [GW]: creds.password });
  const codec = new HuaweiIotdaCodec({ deviceId: GW, secretFile: secretFile(t, 'not-the-secret'), productId: 'prodS', serviceId: 'hearth', devices: [], gatewayId: 'gw-test', version: '1', now: () => NOW });
  const { session: s } = session(t, b.url, codec, { now: () => NOW });
  s.start();
  await waitFor(() => s.state().reconnectAttempts >= 2, 15_000);
  t.equal(s.state().connects, 0);
});

t.test('IoTDA: malformed commands are ignored, others still answered', async (t) => {
  const codec = new HuaweiIotdaCodec({ deviceId: GW, productId: 'p', serviceId: 's', devices: [], gatewayId: 'g', version: '1' });
  t.throws(() => codec.decodeCommand(`$oc/devices/${GW}/sys/commands/request_id=1`, Buffer.from('not json')));
  t.throws(() => codec.decodeCommand(`$oc/devices/${GW}/sys/commands/request_id=1`, Buffer.from('{"paras":{}}')));
  t.equal(codec.decodeCommand(`$oc/devices/${GW}/sys/messages/down`, Buffer.from('{}')), undefined);
  t.equal(codec.decodeCommand(`$oc/devices/${GW}/sys/commands/request_id=1`, Buffer.from('{"object_device_id":"other_x","command_name":"restart"}'))!.deviceId, 'unknown:other_x');
});
