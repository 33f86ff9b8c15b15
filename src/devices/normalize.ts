import type { Clock } from '../clock/clock.js';
import type { PointSpec } from '../model/point.js';
import type { PointValue, Quality, Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import type { RawValue } from '../model/driver.js';

/**
 * Raw driver values → Readings, applying the PointSpec once and generically: scale and offset,
 * plausibility limits, boolean polarity, unit; stamped with wall time, sync flag, monotonic time
 * and a gateway-wide sequence number. Drivers never do any of this themselves.
 */

export interface NormalizeContext {
  gatewayId: string;
  deviceId: string;
  clock: Clock;
  seq: SequenceSource;
}

/**
 * Significant digits kept after scaling: registers are at most 32-bit and profile scales are
 * decimal, so 12 digits keep every real digit while dropping binary noise (0.1 * 3 = 0.30000000000000004).
 */
const SIGNIFICANT_DIGITS = 12;

export function roundScaled(x: number): number {
  if (!Number.isFinite(x)) return x;
  const rounded = Number.parseFloat(x.toPrecision(SIGNIFICANT_DIGITS));
  return rounded === 0 ? 0 : rounded; // no -0 in payloads
}

/** Scale + offset + plausibility for a number point. A non-number raw value is `bad`. */
function numberValue(spec: PointSpec, raw: PointValue): { value: PointValue; quality: Quality } {
  if (typeof raw !== 'number') return { value: raw, quality: 'bad' };
  const value = roundScaled(raw * (spec.scale ?? 1) + (spec.offset ?? 0));
  if (!Number.isFinite(value)) return { value, quality: 'bad' };
  // Outside the plausible range the value is still reported (installers need to see it) but marked bad.
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) return { value, quality: 'bad' };
  return { value, quality: 'good' };
}

/** Boolean point: `true` always means "active" after this, whatever the contact polarity. */
function booleanValue(spec: PointSpec, raw: PointValue): { value: PointValue; quality: Quality } {
  // A bit read as a register word (0/1) is still a bit; anything else is not a boolean.
  const bit = typeof raw === 'boolean' ? raw : raw === 0 || raw === 1 ? raw === 1 : undefined;
  if (bit === undefined) return { value: raw, quality: 'bad' };
  return { value: spec.activeLow === true ? !bit : bit, quality: 'good' };
}

function stringValue(raw: PointValue): { value: PointValue; quality: Quality } {
  return typeof raw === 'string' ? { value: raw, quality: 'good' } : { value: String(raw), quality: 'bad' };
}

/** One raw value of one point → a Reading. */
export function normalize(spec: PointSpec, raw: PointValue, ctx: NormalizeContext): Reading {
  const { value, quality } =
    spec.type === 'number' ? numberValue(spec, raw) : spec.type === 'boolean' ? booleanValue(spec, raw) : stringValue(raw);
  const reading: Reading = {
    gatewayId: ctx.gatewayId,
    deviceId: ctx.deviceId,
    point: spec.name,
    value,
    quality,
    ts: ctx.clock.now(),
    synced: ctx.clock.synced(),
    mono: ctx.clock.mono(),
    seq: ctx.seq.next(),
  };
  if (spec.unit !== undefined) reading.unit = spec.unit;
  return reading;
}

/**
 * All raw values of one answer, in the profile's point order. Values for points the profile does
 * not declare are dropped (a driver/profile mismatch, not data); their names are returned so the
 * caller can count them.
 */
export function normalizeAll(
  points: readonly PointSpec[],
  raws: readonly RawValue[],
  ctx: NormalizeContext,
): { readings: Reading[]; unknown: string[] } {
  const byName = new Map(raws.map((r) => [r.point, r.raw]));
  const readings: Reading[] = [];
  for (const spec of points) {
    if (!byName.has(spec.name)) continue;
    readings.push(normalize(spec, byName.get(spec.name) as PointValue, ctx));
  }
  const known = new Set(points.map((p) => p.name));
  return { readings, unknown: raws.filter((r) => !known.has(r.point)).map((r) => r.point) };
}
