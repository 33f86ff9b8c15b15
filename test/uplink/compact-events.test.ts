import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import type { GatewayEvent } from '../../src/model/event.js';
import { Outbox } from '../../src/outbox/index.js';
import { NativeCodec, UplinkSession } from '../../src/uplink/index.js';
import { decodeCompactEvents, fromWireId, toWireId } from '../../src/uplink/codecs/native-events.js';
import { contractCodec } from '../contract/contract.js';
import { eventsIn } from '../helpers/platform-events.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fault, fireAlarm, tempDir } from '../outbox/fixtures.js';
import { PREFIX, platform } from './harness.js';

const UUID = '3f2b8c1e-9d4a-4e6b-8a2f-5c7d9e0b1a23';
const codec = (eventFormat?: 'compact' | 'json') =>
  new NativeCodec({ gatewayId: 'gw-7', topicPrefix: 'hearth/v1', version: '1.2.3', ...(eventFormat ? { eventFormat } : {}) });

/** An alarm as the demo raises it: a UUID, a long location, a message made of its fields. */
const demoAlarm = (seq: number, id = UUID): GatewayEvent =>
  fireAlarm(seq, {
    id,
    deviceId: 'smoke-101',
    point: 'smoke_density',
    value: 0.315,
    threshold: 0.15,
    unit: 'dB/m',
    message: 'smoke_density 0.315 dB/m above alarm threshold 0.15 dB/m for 2 s',
    location: { building: 'Hepingli 3', floor: '1', room: '101 living room' },
    ts: 1796442563222,
  });

t.test('the NativeCodec alone keeps one readable event a message; compact events go to ev', async (t) => {
  t.equal(codec().encodeEvent(fireAlarm(1)).topic, 'hearth/v1/gw-7/events/alarm');
  t.equal(codec().maxEventsPerMessage, 1);
  t.equal(codec('compact').encodeEvent(fireAlarm(1)).topic, 'hearth/v1/gw-7/ev');
  t.ok(codec('compact').maxEventsPerMessage > 1);
  t.throws(() => codec('json').encodeEvents([fireAlarm(1), fireAlarm(2)]), /one event a message/);
});

t.test('ids: a UUID as its 16 bytes in base64url and back; any other id marked with ~', async (t) => {
  t.equal(toWireId(UUID), 'PyuMHp1KTmuKL1x9ngsaIw');
  t.equal(fromWireId('PyuMHp1KTmuKL1x9ngsaIw'), UUID);
  t.equal(toWireId('gw-outbox-fault-12'), '~gw-outbox-fault-12');
  t.equal(fromWireId('~gw-outbox-fault-12'), 'gw-outbox-fault-12');
  t.equal(toWireId(UUID.toUpperCase()), `~${UUID.toUpperCase()}`, 'only the canonical form is shortened, so it comes back exactly');
});

t.test('a compact event reads back as the json event, less gw, v, mono and the text its fields make', async (t) => {
  const alarm = demoAlarm(523);
  const json = JSON.parse(String(codec('json').encodeEvent(alarm).payload)) as Record<string, unknown>;
  const m = codec('compact').encodeEvent(alarm);
  const [back] = eventsIn(m.topic, m.payload as Buffer);
  const { v: _v, gw: _gw, msg: _msg, mono: _mono, ...expected } = json;
  t.same(back, expected);
  const bytes = (p: string | Buffer): number => (typeof p === 'string' ? Buffer.byteLength(p) : p.length);
  t.ok(bytes(m.payload) * 3 < bytes(codec('json').encodeEvent(alarm).payload), `${bytes(m.payload)} B compact against ${bytes(codec('json').encodeEvent(alarm).payload)} B json`);
});

t.test('what a compact event keeps: fault texts, time fields of unsynced clocks; a restore takes its place from the event it ends', async (t) => {
  const c = codec('compact');
  const restore = demoAlarm(900, 'a1b2c3d4-e5f6-4789-8abc-def012345678');
  restore.kind = 'restore';
  restore.restores = UUID;
  const [r] = eventsIn('x/ev', c.encodeEvent(restore).payload as Buffer);
  t.equal(r!.restores, UUID);
  t.notOk('loc' in r!, 'no location: it happened where the alarm did');
  const [f] = eventsIn('x/ev', c.encodeEvent(fault(12, { message: 'console-state.json moved aside' })).payload as Buffer);
  t.equal(f!.msg, 'console-state.json moved aside', 'a fault says what no field does');
  t.equal(f!.id, 'ev-12');
  t.same(f!.loc, { building: 'A', floor: '2', room: '201' });
  const [u] = decodeCompactEvents(c.encodeEvent(fireAlarm(13, { synced: false, mono: 5012.4 })).payload as Buffer);
  t.match(u, { sync: false, mono: 5012, seq: 13 }, 'an unsynced clock: mono goes along');
  const [k] = decodeCompactEvents(c.encodeEvent({ ...fireAlarm(14), tsUnsynced: 1000 } as GatewayEvent).payload as Buffer);
  t.match(k, { sync: true, ts0: 1000, seq: 14 }, 'a corrected stamp: the original goes along');
  const [plain] = decodeCompactEvents(c.encodeEvent(fireAlarm(15)).payload as Buffer);
  t.match(plain, { sync: true, seq: 15 });
  t.notOk('mono' in plain!, 'a synchronized clock: no mono');
});

t.test('several events in one message, decoded in order', async (t) => {
  const { codec: c, log } = contractCodec(codec('compact'));
  const events = [demoAlarm(1), fault(2), fireAlarm(3, { kind: 'restore', restores: UUID })];
  const m = c.encodeEvents(events);
  t.same(log.problems, [], 'keeps native-events.schema.json');
  t.same(eventsIn(m.topic, m.payload as Buffer).map((e) => e.seq), [1, 2, 3]);
});

t.test('over a real broker: events waiting together go in one message, each confirmed by its short id', async (t) => {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const platformSide = await mqtt.connectAsync(b.url);
  t.teardown(() => platformSide.endAsync(true));
  const messages: { topic: string; seqs: number[]; ids: string[] }[] = [];
  platformSide.on('message', (topic, payload) => {
    const events = eventsIn(topic, payload);
    messages.push({ topic, seqs: events.map((e) => e.seq as number), ids: events.map((e) => e.id as string) });
  });
  await platformSide.subscribeAsync(`${PREFIX}/${GATEWAY}/#`, { qos: 1 });
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const confirmed: string[] = [];
  const s = new UplinkSession({ platform: platform(b.url, { eventFormat: 'compact' }), gatewayId: GATEWAY, outbox, receipts: { confirmed: (ids) => void confirmed.push(...ids) } });
  t.teardown(() => s.stop());
  s.start();
  await waitFor(() => s.state().connected, 10_000);

  // Raised in the same instant (as a tag and the alarm it raises): they are in the outbox together.
  const ids = ['0f1e2d3c-4b5a-4697-8877-665544332211', 'a1b2c3d4-e5f6-4789-8abc-def012345678', UUID];
  outbox.appendEvent(demoAlarm(10, ids[0]));
  outbox.appendEvent(fault(11, { id: ids[1] }));
  outbox.appendEvent(demoAlarm(12, ids[2]));
  await waitFor(() => messages.flatMap((m) => m.seqs).length >= 3, 10_000);
  const events = messages.filter((m) => m.topic.endsWith('/ev'));
  t.same(events.flatMap((m) => m.seqs).sort(), [10, 11, 12], 'every event arrived once');
  t.ok(events.length < 3, `in ${events.length} message(s)`);
  t.same(events[0]!.seqs.slice(0, 2), [10, 12], 'fire alarms first');
  await waitFor(() => outbox.stats().total === 0, 5000);
  t.equal(outbox.stats().total, 0, 'each record confirmed by the PUBACK of the message that carried it');

  // The platform confirms with the ids as the events carried them.
  await platformSide.publishAsync(`${PREFIX}/${GATEWAY}/ack`, JSON.stringify({ v: 1, ids: ids.map(toWireId) }), { qos: 1 });
  await waitFor(() => ids.every((id) => confirmed.includes(id)), 10_000);
  t.ok(ids.every((id) => confirmed.includes(id)), 'the gateway knows them by their own ids');
});

t.test('an event that cannot be encoded is parked alone; the events packed with it still go', async (t) => {
  const b = await Mosquitto.start();
  t.teardown(() => b.close());
  const platformSide = await mqtt.connectAsync(b.url);
  t.teardown(() => platformSide.endAsync(true));
  const seqs: number[] = [];
  platformSide.on('message', (topic, payload) => seqs.push(...eventsIn(topic, payload).map((e) => e.seq as number)));
  await platformSide.subscribeAsync(`${PREFIX}/${GATEWAY}/ev`, { qos: 1 });
  /** A codec that cannot encode event 21, alone or packed. */
  class Picky extends NativeCodec {
    override encodeEvent(e: GatewayEvent) {
      if (e.seq === 21) throw new Error('cannot encode 21');
      return super.encodeEvent(e);
    }
    override encodeEvents(events: readonly GatewayEvent[]) {
      if (events.some((e) => e.seq === 21)) throw new Error('cannot encode 21');
      return super.encodeEvents(events);
    }
  }
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const codec = new Picky({ gatewayId: GATEWAY, topicPrefix: PREFIX, version: '1', eventFormat: 'compact' });
  const s = new UplinkSession({ platform: platform(b.url, { eventFormat: 'compact' }), gatewayId: GATEWAY, outbox, codec });
  t.teardown(() => s.stop());
  s.start();
  await waitFor(() => s.state().connected, 10_000);
  outbox.appendEvent(fault(20));
  outbox.appendEvent(fault(21));
  outbox.appendEvent(fault(22));
  outbox.appendEvent(demoAlarm(23, 'a1b2c3d4-e5f6-4789-8abc-def012345678'));
  await waitFor(() => [20, 22, 23].every((n) => seqs.includes(n)) && outbox.stats().parked === 1, 10_000);
  t.same(seqs.filter((n) => n >= 20).sort(), [20, 22, 23], 'the others arrived (beside the outbox\'s own notice of the parked record)');
  t.equal(outbox.stats().parked, 1, 'the one that cannot be encoded is parked (kept, retried later)');
});
