import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import t, { type Test } from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { eventsIn } from '../helpers/platform-events.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fault, tempDir } from '../outbox/fixtures.js';
import { PREFIX, platform } from './harness.js';

interface SeenPublish {
  topic: string;
  alias?: number;
}

/** A TCP hop in front of the broker that reads the gateway's PUBLISH packets as they are on the wire. */
async function wireTap(t: Test, brokerPort: number, protocolVersion: 4 | 5): Promise<{ url: string; publishes: SeenPublish[] }> {
  const publishes: SeenPublish[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(brokerPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const parser = mqttPacket.parser({ protocolVersion });
    parser.on('packet', (p: mqttPacket.Packet) => {
      if (p.cmd === 'publish') publishes.push({ topic: String(p.topic), ...(p.properties?.topicAlias !== undefined ? { alias: p.properties.topicAlias } : {}) });
    });
    client.on('data', (d: Buffer) => {
      parser.parse(d);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = (): void => void [client, upstream].forEach((s) => s.destroy());
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`, publishes };
}

async function run(t: Test, mqttVersion: '5' | '3.1.1'): Promise<{ publishes: SeenPublish[]; received: number[] }> {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const tap = await wireTap(t, Number(new URL(b.url).port), mqttVersion === '5' ? 5 : 4);
  const sub = await mqtt.connectAsync(b.url);
  t.teardown(() => sub.endAsync(true));
  const received: number[] = [];
  sub.on('message', (topic, payload) => received.push(...eventsIn(topic, payload).map((e) => e.seq as number)));
  await sub.subscribeAsync(`${PREFIX}/${GATEWAY}/ev`, { qos: 1 });
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const s = new UplinkSession({
    platform: platform(tap.url, { eventFormat: 'compact', mqttVersion }),
    gatewayId: GATEWAY,
    outbox,
    protocolVersion: mqttVersion === '5' ? 5 : 4,
  });
  t.teardown(() => s.stop());
  s.start();
  await waitFor(() => s.state().connected, 10_000);
  // One at a time, each after the last was confirmed: one message each.
  for (let seq = 1; seq <= 4; seq++) {
    outbox.appendEvent(fault(seq));
    await waitFor(() => received.includes(seq), 10_000);
  }
  return { publishes: tap.publishes.filter((p) => p.topic === `${PREFIX}/${GATEWAY}/ev` || (p.topic === '' && p.alias !== undefined)), received };
}

t.test('MQTT 5 (native): the events topic travels once, then as a two-byte alias; the platform sees every event on its topic', async (t) => {
  const { publishes, received } = await run(t, '5');
  t.same(received, [1, 2, 3, 4]);
  t.equal(publishes.length, 4);
  t.equal(publishes[0]!.topic, `${PREFIX}/${GATEWAY}/ev`, 'the first names the topic and sets the alias');
  t.ok(publishes[0]!.alias !== undefined);
  t.same(
    publishes.slice(1).map((p) => p.topic),
    ['', '', ''],
    'the others carry the alias alone',
  );
});

t.test('MQTT 3.1.1: no aliases (the protocol has none)', async (t) => {
  const { publishes, received } = await run(t, '3.1.1');
  t.same(received, [1, 2, 3, 4]);
  t.same(
    publishes.map((p) => p.topic),
    Array(4).fill(`${PREFIX}/${GATEWAY}/ev`),
  );
});
