import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import { normalize, normalizeAll, roundScaled, type NormalizeContext } from '../../src/devices/normalize.js';
import type { PointSpec } from '../../src/model/point.js';
import { CounterSequence } from '../../src/model/sequence.js';

function context(clock = new ManualClock()): NormalizeContext {
  return { gatewayId: 'gw-1', deviceId: 'rcd-1', clock, seq: new CounterSequence(41) };
}

const current: PointSpec = { name: 'residual_current', type: 'number', unit: 'mA', scale: 0.1, min: 0, max: 2000 };
const temperature: PointSpec = { name: 'temperature', type: 'number', unit: '°C', scale: 0.1, offset: -40 };

t.test('scale and offset, rounded without float noise', async (t) => {
  const ctx = context();
  t.equal(normalize(current, 3, ctx).value, 0.3, '3 * 0.1 is 0.3, not 0.30000000000000004');
  t.equal(normalize(current, 5123, ctx).value, 512.3);
  t.equal(normalize(temperature, 652, ctx).value, 25.2);
  t.equal(normalize(temperature, 400, ctx).value, 0);
  t.ok(Object.is(roundScaled(-0), 0), 'no negative zero');
  t.equal(roundScaled(0.1 + 0.2), 0.3);
  t.equal(roundScaled(123456.789), 123456.789, 'real digits kept');
  t.equal(normalize({ name: 'plain', type: 'number' }, 17, ctx).value, 17, 'no scale: value unchanged');
});

t.test('plausibility limits mark the reading bad but still report the value', async (t) => {
  const ctx = context();
  const over = normalize(current, 30000, ctx);
  t.equal(over.value, 3000);
  t.equal(over.quality, 'bad');
  const under = normalize(current, -5, ctx);
  t.equal(under.quality, 'bad');
  t.equal(normalize(current, 20000, ctx).quality, 'good', 'the limit itself is plausible');
  t.equal(normalize(current, Number.NaN, ctx).quality, 'bad', 'NaN is bad');
  t.equal(normalize(current, Number.POSITIVE_INFINITY, ctx).quality, 'bad');
  t.equal(normalize(current, true, ctx).quality, 'bad', 'wrong raw type is bad');
});

t.test('booleans: activeLow inverted, 0/1 accepted, other raw values bad', async (t) => {
  const ctx = context();
  const smoke: PointSpec = { name: 'smoke', type: 'boolean', role: 'alarm' };
  const nc: PointSpec = { name: 'contact', type: 'boolean', role: 'alarm', activeLow: true };
  t.equal(normalize(smoke, true, ctx).value, true);
  t.equal(normalize(smoke, 0, ctx).value, false);
  t.equal(normalize(nc, false, ctx).value, true, 'normally-closed contact open = active');
  t.equal(normalize(nc, true, ctx).value, false);
  t.equal(normalize(nc, 1, ctx).value, false);
  const garbage = normalize(smoke, 7, ctx);
  t.equal(garbage.quality, 'bad');
  t.equal(garbage.value, 7);
});

t.test('stamps: unit, wall time, synced flag, monotonic time, sequence', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1), 5000, false);
  const ctx = context(clock);
  const r = normalize(current, 10, ctx);
  t.match(r, { gatewayId: 'gw-1', deviceId: 'rcd-1', point: 'residual_current', unit: 'mA', quality: 'good' });
  t.equal(r.ts, Date.UTC(2026, 0, 1));
  t.equal(r.synced, false);
  t.equal(r.mono, 5000);
  t.equal(r.seq, 42);
  t.equal(normalize(current, 10, ctx).seq, 43, 'sequence increases');
  t.notOk('unit' in normalize({ name: 'n', type: 'number' }, 1, ctx), 'no unit key when the spec has none');
});

t.test('normalizeAll keeps profile order and reports unknown points', async (t) => {
  const { readings, unknown } = normalizeAll(
    [current, temperature],
    [
      { point: 'temperature', raw: 652 },
      { point: 'mystery', raw: 1 },
      { point: 'residual_current', raw: 100 },
    ],
    context(),
  );
  t.same(
    readings.map((r) => [r.point, r.value]),
    [
      ['residual_current', 10],
      ['temperature', 25.2],
    ],
  );
  t.same(unknown, ['mystery']);
});
