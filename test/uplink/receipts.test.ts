import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { ALINK_MAX_PENDING_RECEIPTS, AlibabaAlinkCodec, alinkConnectParams } from '../../src/uplink/codecs/alibaba-alink.js';
import { HuaweiIotdaCodec } from '../../src/uplink/codecs/huawei-iotda.js';
import { ThingsBoardCodec } from '../../src/uplink/codecs/thingsboard.js';
import { NativeCodec, UplinkSession } from '../../src/uplink/index.js';
import { broker, PlatformSide, secretFile, session } from '../codecs/harness.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fault, fireAlarm, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, platform } from './harness.js';

/** A receipts listener that records every call. */
function recorder(): { calls: string[][]; confirmed(ids: readonly string[]): void; all(): string[] } {
  const calls: string[][] = [];
  return { calls, confirmed: (ids) => void calls.push([...ids]), all: () => calls.flat() };
}

t.test('each codec declares what counts as receipt', async (t) => {
  const secret = secretFile(t, 's');
  t.equal(new NativeCodec({ gatewayId: 'g', topicPrefix: 'p', version: '1' }).receipt, 'application');
  t.equal(new AlibabaAlinkCodec({ productKey: 'pk', deviceName: 'dn', deviceSecretFile: secret, tls: true, devices: [], subDevices: {}, gatewayId: 'g', version: '1' }).receipt, 'application');
  t.equal(new ThingsBoardCodec({ gatewayId: 'g', version: '1', devices: [] }).receipt, 'broker');
  const iotda = new HuaweiIotdaCodec({ deviceId: 'd', productId: 'p', serviceId: 's', devices: [], gatewayId: 'g', version: '1' });
  t.equal(iotda.receipt, 'broker');
  t.match(JSON.parse(String(iotda.encodeEvent(fault(1, { deviceId: 'g' })).payload)), { object_device_id: 'd' }, "IoTDA: the gateway's own fault is a message of the gateway device");
  t.match(JSON.parse(String(iotda.encodeEvent(fault(2, { deviceId: 'rcd-1' })).payload)), { object_device_id: 'p_rcd-1' });
});

t.test('native: the ack topic is the receipt, the PUBACK is not', async (t) => {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const sub = await Subscriber.connect(b.url, `${PREFIX}/${GATEWAY}/events/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const receipts = recorder();
  const s = new UplinkSession({ platform: platform(b.url), gatewayId: GATEWAY, outbox, receipts });
  t.teardown(() => s.stop());
  s.start();
  await waitFor(() => s.state().connected, 10_000);
  outbox.appendEvent(fireAlarm(1, { id: 'fire-1' }));
  await sub.waitFor((x) => x.messages.some((m) => m.body.id === 'fire-1'));
  await waitFor(() => s.state().counters.delivered >= 1, 5000);
  t.same(receipts.calls, [], 'the broker took it (PUBACK), but the receiving centre has not confirmed it');

  const platformClient = await mqtt.connectAsync(b.url);
  t.teardown(() => platformClient.endAsync(true));
  await platformClient.publishAsync(`${PREFIX}/${GATEWAY}/ack`, 'not json', { qos: 1 });
  await waitFor(() => s.state().badReceipts === 1, 10_000);
  t.same(receipts.calls, [], 'an unreadable ack confirms nothing');
  await platformClient.publishAsync(`${PREFIX}/${GATEWAY}/ack`, JSON.stringify({ v: 1, ids: ['fire-1', 'never-sent'] }), { qos: 1 });
  await waitFor(() => receipts.calls.length === 1, 10_000);
  t.same(receipts.calls, [['fire-1', 'never-sent']], 'the acknowledged ids are handed on (unknown ones included; the listener ignores them)');
});

t.test('ThingsBoard: the PUBACK of the event is the receipt', async (t) => {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const side = await PlatformSide.connect(t, b.url, ['v1/#'], { username: 'platform', password: 'x' });
  const codec = new ThingsBoardCodec({ gatewayId: 'gw-test', version: '2', devices: [{ id: 'smoke-1' }, { id: 'rcd-1' }], accessTokenFile: secretFile(t, 'TOKEN') });
  const receipts = recorder();
  const { outbox, session: s } = session(t, b.url, codec, { mqtt311: true, receipts });
  outbox.appendEvent(fireAlarm(1, { id: 'fire-tb' }));
  outbox.appendEvent(fault(2, { id: 'fault-tb' }));
  outbox.appendEvent(fault(3, { id: 'gw-own-fault', deviceId: 'gw-test' }));
  s.start();
  await waitFor(() => receipts.all().length === 3, 10_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(receipts.calls)} ${JSON.stringify(s.state())}`);
  });
  t.same(receipts.all(), ['fire-tb', 'fault-tb', 'gw-own-fault'], 'every event confirmed on its PUBACK, fire alarm first');
  // The gateway's telemetry also carries its status (history of the attributes): pick the event.
  const ownEvents = () => side.json('v1/devices/me/telemetry').filter((m) => 'event_eventId' in (m.values as object));
  await side.until(() => ownEvents().length === 1);
  t.match(ownEvents()[0], { values: { event_eventId: 'gw-own-fault' } }, "the gateway's own fault is telemetry of the gateway device");
});

t.test('Alink: events go with sys.ack 1 and a message id from their sequence number; post_reply code 200 maps back to the event', async (t) => {
  const secret = secretFile(t, 'sub-secret');
  const subDevices = { 'smoke-1': { productKey: 'subPK', deviceName: 'smoke-1', deviceSecretFile: secret } };
  const make = (now: number) =>
    new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: secret, tls: true, devices: [{ id: 'smoke-1' }], subDevices, gatewayId: 'gw-test', version: '1', now: () => now });
  const codec = make(1_770_000_000_000);
  const msg = codec.encodeEvent(fireAlarm(4242, { id: 'fire-a' }));
  const body = JSON.parse(String(msg.payload)) as { id: string; sys: { ack: number }; method: string };
  t.equal(msg.topic, '/sys/subPK/smoke-1/thing/event/alarm/post');
  t.match(body, { id: '4242', sys: { ack: 1 }, method: 'thing.event.alarm.post' });
  t.same(codec.receiptTopics(), ['/sys/gwPK/gw01/thing/event/+/post_reply', '/sys/subPK/smoke-1/thing/event/+/post_reply']);

  const reply = (topic: string, b: unknown) => codec.decodeReceipt(topic, Buffer.from(JSON.stringify(b)));
  t.equal(reply('/sys/subPK/smoke-1/thing/service/x', {}), undefined, 'not a receipt topic');
  t.same(reply('/sys/subPK/other/thing/event/alarm/post_reply', { id: '4242', code: 200 }), { confirmed: [], refused: [] }, 'same id, other device: not ours');
  t.same(reply('/sys/subPK/smoke-1/thing/event/alarm/post_reply', { id: '4242', code: 200, data: {} }), { confirmed: ['fire-a'], refused: [] });
  t.same(reply('/sys/subPK/smoke-1/thing/event/alarm/post_reply', { id: '4242', code: 200 }), { confirmed: [], refused: [] }, 'answered already');
  codec.encodeEvent(fault(4243, { id: 'fault-b', deviceId: 'smoke-1' }));
  t.same(reply('/sys/subPK/smoke-1/thing/event/fault/post_reply', { id: 4243, code: 6207 }), { confirmed: [], refused: [{ id: 'fault-b', code: '6207' }] }, 'an error code is not a receipt');
  t.throws(() => codec.decodeReceipt('/sys/subPK/smoke-1/thing/event/alarm/post_reply', Buffer.from('nope')), 'malformed payload throws');

  // The gateway's own events go on the gateway's topic.
  t.equal(codec.encodeEvent(fault(9, { id: 'gw-fault', deviceId: 'gw-test' })).topic, '/sys/gwPK/gw01/thing/event/fault/post');
  t.same(reply('/sys/gwPK/gw01/thing/event/fault/post_reply', { id: '9', code: 200 }), { confirmed: ['gw-fault'], refused: [] });

  // Bounded: the oldest unanswered sends are forgotten.
  for (let i = 0; i <= ALINK_MAX_PENDING_RECEIPTS; i++) codec.encodeEvent(fireAlarm(10_000 + i, { id: `f-${i}` }));
  t.same(reply('/sys/subPK/smoke-1/thing/event/alarm/post_reply', { id: '10000', code: 200 })?.confirmed, [], 'the oldest was forgotten');
  t.same(reply('/sys/subPK/smoke-1/thing/event/alarm/post_reply', { id: String(10_000 + ALINK_MAX_PENDING_RECEIPTS), code: 200 })?.confirmed, [`f-${ALINK_MAX_PENDING_RECEIPTS}`]);

  // Other requests: ids in the upper half, not restarting at 1 after a restart.
  const idOf = (c: AlibabaAlinkCodec) => Number((JSON.parse(String(c.encodeStatus({ state: 'online', ts: 0, synced: true }).payload)) as { id: string }).id);
  const [a, b] = [idOf(make(1_770_000_000_000)), idOf(make(1_770_000_060_000))];
  t.ok(a >= 2 ** 31 && a <= 4294967295 && b >= 2 ** 31 && b <= 4294967295, 'within Alink ids, apart from event ids');
  t.not(a, b, 'a restarted gateway does not reuse the ids of the run before');
});

t.test('Alink over a real Mosquitto: the platform reply on the sub-device topic calls receipts.confirmed', async (t) => {
  const NOW = 1_770_000_000_000;
  const gwSecret = secretFile(t, 'gw-secret');
  const subSecret = secretFile(t, 'sub-secret');
  const creds = alinkConnectParams({ productKey: 'gwPK', deviceName: 'gw01' }, 'gw-secret', NOW, false);
  const b = await broker(t, { [creds.username]: creds.password });
  const side = await PlatformSide.connect(t, b.url, ['/sys/#'], { username: 'platform', password: 'platform-pw' });
  const subDevices = { 'smoke-1': { productKey: 'subPK', deviceName: 'smoke-1', deviceSecretFile: subSecret } };
  const codec = new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: gwSecret, tls: false, devices: [{ id: 'smoke-1' }], subDevices, gatewayId: 'gw-test', version: '1', now: () => NOW });
  const receipts = recorder();
  const { outbox, session: s } = session(t, b.url, codec, { now: () => NOW, mqtt311: true, receipts });
  s.start();
  await waitFor(() => s.state().connected, 10_000);
  outbox.appendEvent(fireAlarm(77, { id: 'fire-alink' }));
  await side.until(() => side.on('/sys/subPK/smoke-1/thing/event/alarm/post').length === 1);
  const sent = side.json('/sys/subPK/smoke-1/thing/event/alarm/post')[0]!;
  await waitFor(() => s.state().counters.delivered >= 1, 5000);
  t.same(receipts.calls, [], 'the PUBACK is not the receipt on Alink');
  await side.client.publishAsync('/sys/subPK/smoke-1/thing/event/alarm/post_reply', JSON.stringify({ id: sent.id, code: 200, data: {}, message: 'success', method: 'thing.event.alarm.post', version: '1.0' }), { qos: 1 });
  await waitFor(() => receipts.calls.length === 1, 10_000);
  t.same(receipts.calls, [['fire-alink']]);
});
