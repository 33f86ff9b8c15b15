import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { AlibabaAlinkCodec, alinkConnectParams } from '../../src/uplink/codecs/alibaba-alink.js';
import { HuaweiIotdaCodec, iotdaConnectParams } from '../../src/uplink/codecs/huawei-iotda.js';
import type { Codec } from '../../src/uplink/codec.js';
import { fireAlarm, reading } from '../outbox/fixtures.js';
import { waitFor } from '../helpers/net.js';
import { broker, PlatformSide, secretFile, session } from './harness.js';
import { recordingLogger } from '../helpers/recording-logger.js';

const NOW = Date.UTC(2026, 4, 6, 7, 15, 0);
const GW = 'prodA_gw-test';
const IOTDA_BASE = `$oc/devices/${GW}/sys`;

/** A TCP relay in front of the broker whose connections can be cut without a DISCONNECT (a gateway losing power). */
async function relay(t: { teardown(fn: () => unknown): void }, port: number): Promise<{ url: string; cut(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const end = () => { inbound.destroy(); outbound.destroy(); };
    inbound.on('error', end);
    outbound.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise((r) => server.close(r)));
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, cut: () => { for (const s of sockets) s.destroy(); sockets.clear(); } };
}

function iotda(t: { teardown(fn: () => unknown): void }, devices: { id: string }[]): HuaweiIotdaCodec {
  return new HuaweiIotdaCodec({ deviceId: GW, secretFile: secretFile(t, 's3cret'), productId: 'prodS', serviceId: 'hearth', devices, gatewayId: 'gw-test', version: '1', now: () => NOW, newId: () => 'ev-1' });
}

t.test('IoTDA and Alibaba: no will is registered; a gateway that vanishes leaves no offline status, an orderly stop sends one', async (t) => {
  const alinkCreds = alinkConnectParams({ productKey: 'gwPK', deviceName: 'gw01' }, 'gw-secret', NOW, false);
  const b = await broker(t, { [GW]: iotdaConnectParams(GW, 's3cret', NOW).password, [alinkCreds.username]: alinkCreds.password });
  const side = await PlatformSide.connect(t, b.url, [`${IOTDA_BASE}/#`, '/sys/#'], { username: 'platform', password: 'platform-pw' });
  const gwSecret = secretFile(t, 'gw-secret');
  const cases: [string, Codec, string][] = [
    ['IoTDA', iotda(t, [{ id: 'smoke-1' }]), `${IOTDA_BASE}/properties/report`],
    ['Alibaba', new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: gwSecret, tls: false, devices: [], subDevices: {}, gatewayId: 'gw-test', version: '1', now: () => NOW }), '/sys/gwPK/gw01/thing/event/property/post'],
  ];
  for (const [name, codec, statusTopic] of cases) {
    t.equal(codec.willMessage, undefined, `${name}: the codec offers no will`);
    const r = await relay(t, b.port);
    const { session: s } = session(t, r.url, codec, { now: () => NOW, mqtt311: name === 'Alibaba' });
    s.start();
    await side.until(() => side.on(statusTopic).length === 1);
    r.cut();
    await waitFor(() => !s.state().connected, 10_000);
    await new Promise((res) => setTimeout(res, 500));
    t.notOk(side.json(statusTopic).some((m) => JSON.stringify(m).includes('"offline"')), `${name}: the broker published no offline status for the vanished gateway`);
    await side.until(() => s.state().connected && side.on(statusTopic).length === 2);
    await s.stop();
    await side.until(() => side.json(statusTopic).some((m) => JSON.stringify(m).includes('"offline"')));
    t.pass(`${name}: an orderly stop sends the offline status`);
  }
  const offline = side.json(`${IOTDA_BASE}/events/up`).filter((m) => JSON.stringify(m).includes('OFFLINE'));
  t.match(offline, [{ services: [{ event_type: 'sub_device_update_status', paras: { device_statuses: [{ device_id: 'prodS_smoke-1', status: 'OFFLINE' }] } }] }], 'IoTDA: the field devices go OFFLINE on an orderly stop');
});

t.test('IoTDA: events/down is subscribed; a refused sub-device add is logged with its reason', async (t) => {
  const b = await broker(t, { [GW]: iotdaConnectParams(GW, 's3cret', NOW).password });
  const side = await PlatformSide.connect(t, b.url, [`${IOTDA_BASE}/#`], { username: 'platform', password: 'platform-pw' });
  const logger = recordingLogger();
  const { session: s } = session(t, b.url, iotda(t, [{ id: 'smoke-1' }, { id: 'smoke-2' }]), { now: () => NOW, logger });
  s.start();
  await side.until(() => side.on(`${IOTDA_BASE}/events/up`).length === 2);
  await new Promise((res) => setTimeout(res, 200));
  const answer = {
    object_device_id: GW,
    services: [{
      service_id: '$sub_device_manager', event_type: 'add_sub_device_response', event_time: '20260506T071501Z', event_id: 'ev-1',
      paras: { successful_devices: [{ device_id: 'prodS_smoke-1', node_id: 'smoke-1', product_id: 'prodS', parent_device_id: GW }], failed_devices: [{ node_id: 'smoke-2', product_id: 'prodS', error_code: 'IOTDA.014016', error_msg: 'product not found' }] },
    }],
  };
  await side.client.publishAsync(`${IOTDA_BASE}/events/down`, JSON.stringify(answer), { qos: 1 });
  await waitFor(() => logger.lines.some((l) => l.msg === 'uplink: the platform refused part of a request'), 10_000);
  t.match(logger.lines.find((l) => l.msg === 'uplink: the platform refused part of a request')!.obj, { what: 'add_sub_device_response', succeeded: 1, failed: [{ id: 'smoke-2', code: 'IOTDA.014016', message: 'product not found' }] });
  t.notOk(logger.lines.some((l) => /unreadable/.test(l.msg)), 'not mistaken for a command or a receipt');
});

t.test('IoTDA: every publish is paced at the messages/s cap, and an alarm still goes out within a second during a backlog', async (t) => {
  const b = await broker(t, { [GW]: iotdaConnectParams(GW, 's3cret', NOW).password });
  const side = await PlatformSide.connect(t, b.url, [`${IOTDA_BASE}/#`], { username: 'platform', password: 'platform-pw' });
  // When each message was handed to MQTT: the session encodes a status, a record or the (here two)
  // announcements in the same turn as it publishes them, so encode times are send times. Arrival
  // times at the platform would also measure the broker's delivery, which bunches under load.
  const sent: number[] = [];
  class Timed extends HuaweiIotdaCodec {
    override encodeStatus(...a: Parameters<HuaweiIotdaCodec['encodeStatus']>) { sent.push(performance.now()); return super.encodeStatus(...a); }
    override encodeTelemetry(...a: Parameters<HuaweiIotdaCodec['encodeTelemetry']>) { sent.push(performance.now()); return super.encodeTelemetry(...a); }
    override encodeEvent(...a: Parameters<HuaweiIotdaCodec['encodeEvent']>) { sent.push(performance.now()); return super.encodeEvent(...a); }
    override onlineMessages() { const m = super.onlineMessages(); for (const _ of m) sent.push(performance.now()); return m; }
  }
  const codec = new Timed({ deviceId: GW, secretFile: secretFile(t, 's3cret'), productId: 'prodS', serviceId: 'hearth', devices: [{ id: 'smoke-1' }], gatewayId: 'gw-test', version: '1', now: () => NOW, newId: () => 'ev-1' });
  // A cap of 10/s (the same code as IoTDA's 50/s, five times slower) and one reading per message.
  const { outbox, session: s } = session(t, b.url, codec, { now: () => NOW, overrides: { maxMessagesPerSec: 10, batchMaxReadings: 1 } });
  for (let i = 1; i <= 40; i++) outbox.appendReading(reading(i, { deviceId: 'smoke-1', ts: Date.UTC(2026, 0, 1) + i }));
  s.start();
  await side.until(() => side.on(`${IOTDA_BASE}/gateway/sub_devices/properties/report`).length >= 15);
  const committed = performance.now();
  outbox.appendEvent(fireAlarm(1000, { deviceId: 'smoke-1' }));
  await side.until(() => side.on(`${IOTDA_BASE}/messages/up`).length === 1);
  const alarmAfterMs = performance.now() - committed;
  await side.until(() => side.on(`${IOTDA_BASE}/gateway/sub_devices/properties/report`).length === 40, 20_000);
  let worst = 0;
  for (const start of sent) worst = Math.max(worst, sent.filter((x) => x >= start && x < start + 1000).length);
  t.comment(`messages: ${sent.length}, most sent in any second: ${worst}, alarm at the platform ${alarmAfterMs.toFixed(0)} ms after commit`);
  t.equal(sent.length, 44, 'status, 2 announcements, 40 readings, 1 alarm');
  t.ok(worst <= 10, `at most 10 messages sent in any second, got ${worst}`);
  t.ok(sent[sent.length - 1]! - sent[0]! >= 3000, 'the 44 messages took over 3 s');
  t.ok(alarmAfterMs < 1500, `the alarm overtook the paced backlog (${alarmAfterMs.toFixed(0)} ms)`);
});
