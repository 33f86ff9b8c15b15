import type { Clock } from '../clock/clock.js';
import type { PointSpec } from '../model/point.js';
import type { PointValue, Reading } from '../model/reading.js';
import { pointValue } from '../model/point-value.js';
import type { SequenceSource } from '../model/sequence.js';
import type { RawValue } from '../model/driver.js';

export { roundScaled } from '../model/point-value.js';

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

/** One raw value of one point → a Reading. */
export function normalize(spec: PointSpec, raw: PointValue, ctx: NormalizeContext): Reading {
  const { value, quality } = pointValue(spec, raw);
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
