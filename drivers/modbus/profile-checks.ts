import { checkCommands } from './profile-command-checks.js';
import type { ModbusPointDef, ModbusProfile, ProfileFinding } from './profile-types.js';

export type { ProfileFinding } from './profile-types.js';

const WIDE = new Set(['int32', 'uint32', 'float32']);
const NUMERIC_ONLY = ['scale', 'offset', 'unit', 'min', 'max', 'thresholds', 'deadband'] as const;
const BOOL_ONLY = ['role', 'severity', 'activeLow'] as const;

/**
 * Rules the profile schema cannot express: names unique across points and bits, settings that
 * only make sense for numbers or only for booleans, 32-bit values fitting the address space.
 * `raw` is the file as written (before orders were inherited), to tell set keys from defaults.
 */
export function checkProfile(profile: ModbusProfile, raw: Record<string, unknown>): ProfileFinding[] {
  const findings: ProfileFinding[] = [];
  const add = (segments: (string | number)[], message: string) => findings.push({ segments, message });
  const rawPoints = (raw.points ?? []) as Record<string, unknown>[];

  if (profile.points.length === 0 && profile.bitFields.length === 0) add(['points'], 'the profile defines no points and no bitFields');

  const names = new Map<string, string>();
  const claim = (name: string, where: string, segments: (string | number)[]) => {
    const first = names.get(name);
    if (first) add(segments, `duplicate point name '${name}' (also ${first})`);
    else names.set(name, where);
  };

  profile.points.forEach((p, i) => {
    const at = ['points', i];
    claim(p.name, `points[${i}]`, [...at, 'name']);
    checkPoint(p, rawPoints[i] ?? {}, (key, message) => add(key === undefined ? at : [...at, key], message));
  });

  profile.bitFields.forEach((field, f) => {
    const seen = new Map<number, number>();
    field.bits.forEach((b, j) => {
      const at = ['bitFields', f, 'bits', j];
      claim(b.name, `bitFields[${f}].bits[${j}]`, [...at, 'name']);
      const first = seen.get(b.bit);
      if (first !== undefined) add([...at, 'bit'], `bit ${b.bit} is already named by bits[${first}] ('${field.bits[first]!.name}')`);
      else seen.set(b.bit, j);
      if (b.severity !== undefined && (b.role === 'value' || b.role === 'tamper')) {
        add([...at, 'severity'], `only alarm and fault bits raise events with a severity (role is ${b.role})`);
      }
    });
  });
  findings.push(...checkCommands(profile));
  return findings;
}

function checkPoint(p: ModbusPointDef, raw: Record<string, unknown>, add: (key: string | undefined, message: string) => void): void {
  const isBool = p.type === 'bool';
  if ((p.area === 'coil' || p.area === 'discrete') && !isBool) add('type', `must be bool for a ${p.area} (one bit), got '${p.type}'`);
  if (isBool) {
    for (const key of NUMERIC_ONLY) if (raw[key] !== undefined) add(key, `applies to numeric points only; '${p.name}' is bool`);
  } else {
    for (const key of BOOL_ONLY) if (raw[key] !== undefined) add(key, `applies to bool points only; '${p.name}' is ${p.type}`);
  }
  if (raw.wordOrder !== undefined && !WIDE.has(p.type)) add('wordOrder', `applies to 32-bit types only (int32, uint32, float32), got '${p.type}'`);
  if (raw.byteOrder !== undefined && (p.area === 'coil' || p.area === 'discrete')) add('byteOrder', `does not apply to a ${p.area}`);
  if (WIDE.has(p.type) && p.address > 65534) add('address', `a ${p.type} needs two registers: must be 0-65534, got ${p.address}`);
  if (p.scale === 0) add('scale', 'must not be 0');
  if (p.min !== undefined && p.max !== undefined && p.min >= p.max) add('max', `must be greater than min (${p.min}), got ${p.max}`);
  const t = p.thresholds;
  if (t?.high !== undefined && t.low !== undefined && t.low >= t.high) add('thresholds', `low (${t.low}) must be below high (${t.high})`);
  if (t && t.high === undefined && t.low === undefined) add('thresholds', 'must set high or low');
  if (isBool && p.severity !== undefined && (p.role === undefined || p.role === 'value' || p.role === 'tamper')) {
    add('severity', `only alarm and fault points raise events with a severity (role is ${p.role ?? 'value'})`);
  }
}
