import type { PointSpec } from '../../src/model/point.js';
import type { ModbusProfile } from './profile-types.js';

/**
 * The profile's points as the generic runtime sees them. Scale, offset, limits and thresholds are
 * carried here for the runtime to apply once; the driver itself reports raw numbers and booleans.
 * Order: value points as listed, then bit-field bits as listed.
 */
export function profilePointSpecs(profile: ModbusProfile): PointSpec[] {
  const specs: PointSpec[] = [];
  for (const p of profile.points) {
    const spec: PointSpec = { name: p.name, type: p.type === 'bool' ? 'boolean' : 'number' };
    copy(spec, p, ['unit', 'scale', 'offset', 'min', 'max', 'role', 'severity', 'thresholds', 'deadband', 'maxSilenceMs', 'description']);
    if (p.activeLow) spec.activeLow = true;
    if (p.labels?.en !== undefined) spec.label = p.labels.en;
    specs.push(spec);
  }
  for (const field of profile.bitFields) {
    for (const b of field.bits) {
      const spec: PointSpec = { name: b.name, type: 'boolean', role: b.role };
      copy(spec, b, ['severity', 'description']);
      if (b.activeLow) spec.activeLow = true;
      if (b.labels?.en !== undefined) spec.label = b.labels.en;
      specs.push(spec);
    }
  }
  return specs;
}

function copy<S extends object, K extends keyof S & keyof PointSpec>(target: PointSpec, source: S, keys: readonly K[]): void {
  for (const k of keys) {
    const v = source[k];
    if (v !== undefined) (target as unknown as Record<string, unknown>)[k as string] = structuredClone(v);
  }
}
