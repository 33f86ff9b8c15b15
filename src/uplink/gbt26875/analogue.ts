import type { Reading } from '../../model/reading.js';
import { AnalogueType } from './constants.js';
import { componentOf, type Gbt26875Site } from './site.js';
import type { AnalogueValue, UploadUnit } from './units.js';

/**
 * Readings as analogue values (§8.2.1.3 table 6): the unit decides the type, the type's step the
 * count (°C in 0.1 °C…). Residual current goes as hearth's user-defined type 128 in whole mA.
 * Values beyond the signed 16-bit count are sent at its limit rather than refused.
 */
const BY_UNIT: Readonly<Record<string, { type: number; per: number }>> = {
  mA: { type: AnalogueType.residualCurrentMilliamps, per: 1 },
  '°C': { type: AnalogueType.temperature, per: 10 },
  '℃': { type: AnalogueType.temperature, per: 10 },
  A: { type: AnalogueType.current, per: 10 },
  V: { type: AnalogueType.voltage, per: 10 },
  kPa: { type: AnalogueType.pressureKPa, per: 10 },
  MPa: { type: AnalogueType.pressureMPa, per: 10 },
  '%LEL': { type: AnalogueType.gasConcentration, per: 10 },
  s: { type: AnalogueType.time, per: 1 },
};

/** The analogue type and raw count for a value in `unit`, or undefined when table 6 has no type for it. */
export function analogueFor(value: number, unit: string | undefined): { analogueType: number; value: number } | undefined {
  const scale = unit !== undefined && Object.hasOwn(BY_UNIT, unit) ? BY_UNIT[unit] : undefined;
  if (scale === undefined || !Number.isFinite(value)) return undefined;
  return { analogueType: scale.type, value: Math.max(-0x8000, Math.min(0x7fff, Math.round(value * scale.per))) };
}

/**
 * Type-3 units for readings (at most 63 values each, §8.3.1.3); readings that are not numbers, not
 * good, or in a unit table 6 does not know are left out.
 */
export function readingUnits(readings: readonly Reading[], site: Gbt26875Site): UploadUnit[] {
  const values: AnalogueValue[] = [];
  for (const r of readings) {
    if (typeof r.value !== 'number' || r.quality !== 'good') continue;
    const a = analogueFor(r.value, r.unit);
    if (a === undefined) continue;
    const c = componentOf(site, r.deviceId, {});
    values.push({ system: c.system, componentType: c.componentType, address: c.address, ...a, time: new Date(r.ts) });
  }
  const units: UploadUnit[] = [];
  for (let i = 0; i < values.length; i += 63) units.push({ type: 3, values: values.slice(i, i + 63) });
  return units;
}
