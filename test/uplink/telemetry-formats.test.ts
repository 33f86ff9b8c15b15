import t from 'tap';
import { inflateSync } from 'node:zlib';
import type { Reading } from '../../src/model/reading.js';
import { NativeCodec } from '../../src/uplink/codecs/native.js';
import { reading } from '../outbox/fixtures.js';
import { decodeTelemetry } from '../helpers/telemetry.js';
import { schemas } from './harness.js';

const codec = (telemetryFormat?: 'readings' | 'columns' | 'columns-deflate') =>
  new NativeCodec({ gatewayId: 'gw-7', topicPrefix: 'hearth/v1', version: '1.2.3', ...(telemetryFormat ? { telemetryFormat } : {}) });

/** A minute of a small site: two devices, a number, a status bit, a stale reading, a scaled value. */
function minute(): Reading[] {
  const out: Reading[] = [];
  let seq = 1000;
  for (let s = 0; s < 60; s += 5) {
    out.push(reading(++seq, { deviceId: 'rcd-1', point: 'residual_current', value: 40 + s, ts: Date.UTC(2026, 0, 1) + s * 1000 }));
    out.push(reading(++seq, { deviceId: 'smoke-3', point: 'temperature', unit: '°C', value: 224 * 0.1, ts: Date.UTC(2026, 0, 1) + s * 1000 + 7 }));
  }
  out.push(reading(++seq, { deviceId: 'smoke-3', point: 'fire_alarm', unit: undefined, value: true, quality: 'stale', ts: Date.UTC(2026, 0, 1) + 30_000 }));
  return out;
}

t.test('the NativeCodec alone keeps the original layout; the config default is columns-deflate', async (t) => {
  t.equal(codec().encodeTelemetry([reading(1)]).topic, 'hearth/v1/gw-7/telemetry');
  t.equal(codec('columns').encodeTelemetry([reading(1)]).topic, 'hearth/v1/gw-7/telemetry/columns');
  t.equal(codec('columns-deflate').encodeTelemetry([reading(1)]).topic, 'hearth/v1/gw-7/telemetry/columns-deflate');
});

t.test('columns: valid against the schema, and decoding them gives back every reading of the readings layout', async (t) => {
  const readings = minute();
  const original = JSON.parse(codec('readings').encodeTelemetry(readings).payload.toString()) as { readings: Record<string, unknown>[] };
  const m = codec('columns').encodeTelemetry(readings);
  const body = JSON.parse(m.payload.toString()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.ok(schemas.telemetry(body), JSON.stringify(schemas.telemetry.errors));
  t.equal(body.batch, '1001-1025');
  t.equal(body.s0, 1001);
  t.same(body.dev['smoke-3'].temperature.v[0], 22.4, 'the binary noise of scaling is gone');
  t.same(body.dev['smoke-3'].fire_alarm, { t: [30_000], v: [true], s: [24], q: ['stale'] }, 'no unit, quality only where not all good');
  t.notOk('q' in body.dev['rcd-1'].residual_current, 'all good: no q');
  const decoded = decodeTelemetry(m.topic, Buffer.from(m.payload));
  const expected = original.readings.map(({ mono: _mono, ...r }) => ({ ...r, val: typeof r.val === 'number' ? Number(r.val.toPrecision(12)) : r.val }));
  t.same(decoded, expected, 'same readings, same order (mono is only carried for unsynced readings)');
  const sizes = { readings: Buffer.byteLength(JSON.stringify(original)), columns: Buffer.byteLength(m.payload) };
  t.ok(sizes.columns * 2.5 < sizes.readings, `columns ${sizes.columns} B against readings ${sizes.readings} B`);
});

t.test('columns-deflate: the same JSON, zlib-compressed', async (t) => {
  const readings = minute();
  const plain = codec('columns').encodeTelemetry(readings).payload.toString();
  const m = codec('columns-deflate').encodeTelemetry(readings);
  t.ok(Buffer.isBuffer(m.payload));
  t.equal(inflateSync(m.payload as Buffer).toString(), plain);
  t.ok((m.payload as Buffer).length < Buffer.byteLength(plain), `${(m.payload as Buffer).length} B deflated, ${Buffer.byteLength(plain)} B plain`);
});

t.test('readings whose clock was not synchronized, or corrected afterwards, keep every field in rows', async (t) => {
  const unsynced = reading(7, { synced: false, mono: 5012.4 });
  const corrected = { ...reading(8), tsUnsynced: 1000 } as Reading;
  const m = codec('columns').encodeTelemetry([unsynced, corrected, reading(9)]);
  const body = JSON.parse(m.payload.toString()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.ok(schemas.telemetry(body), JSON.stringify(schemas.telemetry.errors));
  t.same(body.rows.map((r: { seq: number; sync: boolean; mono: number }) => [r.seq, r.sync, r.mono]), [[7, false, 5012], [8, true, 8]]);
  t.equal(body.rows[1].ts0, 1000);
  t.same(body.dev['rcd-1'].leakage.s, [0]);
  t.equal(body.s0, 9);
  const only = JSON.parse(codec('columns').encodeTelemetry([unsynced]).payload.toString()) as Record<string, unknown>;
  t.notOk('dev' in only || 't0' in only, 'no empty dev');
  t.ok(schemas.telemetry(only), JSON.stringify(schemas.telemetry.errors));
});
