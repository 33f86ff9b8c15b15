import t from 'tap';
import { NativeCodec } from '../../src/uplink/codecs/native.js';
import { fault, fireAlarm, reading } from '../outbox/fixtures.js';
import { schemas } from './harness.js';

const codec = new NativeCodec({ gatewayId: 'gw-7', topicPrefix: 'hearth/v1/', version: '1.2.3', now: () => 1_767_225_600_000 });

function body(payload: Buffer | string): unknown {
  return JSON.parse(payload.toString());
}

t.test('telemetry: one batch topic, compact readings, valid against the schema', async (t) => {
  const m = codec.encodeTelemetry([reading(5), reading(6, { value: true, unit: undefined, quality: 'stale', synced: false })]);
  t.equal(m.topic, 'hearth/v1/gw-7/telemetry');
  t.equal(m.qos, 1);
  t.equal(m.retain, false);
  const b = body(m.payload) as { batch: string; readings: Record<string, unknown>[] };
  t.ok(schemas.telemetry(b), JSON.stringify(schemas.telemetry.errors));
  t.equal(b.batch, '5-6');
  t.same(b.readings[0], { dev: 'rcd-1', pt: 'leakage', val: 125, unit: 'mA', q: 'good', ts: reading(5).ts, sync: true, mono: 5, seq: 5 });
  t.notOk('unit' in b.readings[1]!, 'absent unit is omitted, not null');
  t.throws(() => codec.encodeTelemetry([]));
});

t.test('events: one per message under events/<kind>, with location', async (t) => {
  const m = codec.encodeEvent(fireAlarm(9, { threshold: 0.1, unit: 'dB/m', value: 0.3 }));
  t.equal(m.topic, 'hearth/v1/gw-7/events/alarm');
  t.equal(m.qos, 1);
  const b = body(m.payload) as Record<string, unknown>;
  t.ok(schemas.event(b), JSON.stringify(schemas.event.errors));
  t.match(b, { id: 'ev-9', kind: 'alarm', sev: 'fire', dev: 'smoke-1', thr: 0.1, loc: { floor: '2', room: '201' }, seq: 9 });
  const r = codec.encodeEvent(fault(10, { kind: 'restore', restores: 'ev-3' }));
  t.equal(r.topic, 'hearth/v1/gw-7/events/restore');
  t.ok(schemas.event(body(r.payload)), JSON.stringify(schemas.event.errors));
});

t.test('status and will: retained, valid, will is offline without outbox', async (t) => {
  const online = codec.encodeStatus({
    state: 'online',
    ts: 1,
    synced: true,
    outbox: { fire: 0, events: 1, telemetry: 20, oldestUnsentAgeMs: 1500 },
  });
  t.equal(online.topic, 'hearth/v1/gw-7/status');
  t.equal(online.retain, true);
  t.ok(schemas.status(body(online.payload)), JSON.stringify(schemas.status.errors));
  t.match(body(online.payload), { state: 'online', version: '1.2.3', outbox: { telemetry: 20, oldestMs: 1500 } });
  const will = codec.willMessage();
  t.equal(will.topic, online.topic);
  t.equal(will.retain, true);
  t.same(body(will.payload), { v: 1, gw: 'gw-7', state: 'offline', version: '1.2.3', ts: 1_767_225_600_000, sync: false });
  t.ok(schemas.status(body(will.payload)));
});
