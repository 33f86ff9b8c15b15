import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { sealEnvelope } from '../../src/signing/envelope.js';
import { TrustedKeys } from '../../src/signing/keys.js';
import { NativeCodec, UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fireAlarm, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, platform } from '../uplink/harness.js';
import { operator } from './signing-fixtures.js';

/**
 * A native-codec gateway on a shared broker, an anonymous client in the attacker's role: it reads
 * the fire alarm's id off the broker and publishes a receipt for it. Only a receipt signed by the
 * platform's key may count (a receipt clears the "not confirmed by the receiving centre" fault).
 */
t.test('forged receipts have no effect; a receipt signed by the platform key counts', async (t) => {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const platformKey = operator('platform');
  const sub = await Subscriber.connect(b.url, `${PREFIX}/${GATEWAY}/events/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const confirmed: string[] = [];
  const codec = new NativeCodec({ gatewayId: GATEWAY, topicPrefix: PREFIX, version: '1', receiptKeys: new TrustedKeys([platformKey.entry]) });
  const s = new UplinkSession({ platform: platform(b.url, { unsignedReceipts: false }), gatewayId: GATEWAY, outbox, codec, receipts: { confirmed: (ids) => void confirmed.push(...ids) } });
  t.teardown(() => s.stop());
  s.start();
  await waitFor(() => s.state().connected, 10_000);
  outbox.appendEvent(fireAlarm(1, { id: 'fire-1' }));
  await sub.waitFor((x) => x.messages.some((m) => m.body.id === 'fire-1'));

  const attacker = await mqtt.connectAsync(b.url); // anonymous: the broker lets anyone publish
  t.teardown(() => attacker.endAsync(true));
  const ack = `${PREFIX}/${GATEWAY}/ack`;
  const mallory = operator('platform'); // claims the platform's key id
  const forgeries = [
    JSON.stringify({ v: 1, ids: ['fire-1'] }),
    JSON.stringify({ v: 1, ...sealEnvelope({ v: 1, gw: GATEWAY, ids: ['fire-1'] }, mallory.privateKey, 'platform') }),
    JSON.stringify({ v: 1, ...sealEnvelope({ v: 1, gw: 'other-gw', ids: ['fire-1'] }, platformKey.privateKey, 'platform') }),
  ];
  for (const f of forgeries) await attacker.publishAsync(ack, f, { qos: 1 });
  await waitFor(() => s.state().badReceipts === forgeries.length, 10_000);
  t.same(confirmed, [], 'unsigned, wrongly signed and other-gateway receipts confirm nothing');

  await attacker.publishAsync(ack, JSON.stringify({ v: 1, ...sealEnvelope({ v: 1, gw: GATEWAY, ids: ['fire-1'] }, platformKey.privateKey, 'platform') }), { qos: 1 });
  await waitFor(() => confirmed.length === 1, 10_000);
  t.same(confirmed, ['fire-1'], 'the receipt signed with the platform key counts');
});
