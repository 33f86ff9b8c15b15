import type { PointSpec } from './point.js';
import type { PointValue, Quality } from './reading.js';

/**
 * A point's raw value as people and rules see it, applying its PointSpec: scale and offset (numbers,
 * with plausibility limits), polarity (booleans), text as it is. The one set of rules for readings
 * (src/devices/normalize.ts) and for a device command's read-back (drivers/modbus/command-runner.ts).
 */

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
export function numberValue(spec: PointSpec, raw: PointValue): { value: PointValue; quality: Quality } {
  if (typeof raw !== 'number') return { value: raw, quality: 'bad' };
  const value = roundScaled(raw * (spec.scale ?? 1) + (spec.offset ?? 0));
  if (!Number.isFinite(value)) return { value, quality: 'bad' };
  // Outside the plausible range the value is still reported (installers need to see it) but marked bad.
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) return { value, quality: 'bad' };
  return { value, quality: 'good' };
}

/** Boolean point: `true` always means "active" after this, whatever the contact polarity. */
export function booleanValue(spec: PointSpec, raw: PointValue): { value: PointValue; quality: Quality } {
  // A bit read as a register word (0/1) is still a bit; anything else is not a boolean.
  const bit = typeof raw === 'boolean' ? raw : raw === 0 || raw === 1 ? raw === 1 : undefined;
  if (bit === undefined) return { value: raw, quality: 'bad' };
  return { value: spec.activeLow === true ? !bit : bit, quality: 'good' };
}

function stringValue(raw: PointValue): { value: PointValue; quality: Quality } {
  return typeof raw === 'string' ? { value: raw, quality: 'good' } : { value: String(raw), quality: 'bad' };
}

/** The value and quality of one raw value of a point. */
export function pointValue(spec: PointSpec, raw: PointValue): { value: PointValue; quality: Quality } {
  return spec.type === 'number' ? numberValue(spec, raw) : spec.type === 'boolean' ? booleanValue(spec, raw) : stringValue(raw);
}
