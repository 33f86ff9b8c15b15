import type { DeviceProfiles } from '../config/profiles.js';
import type { HearthConfig } from '../config/types.js';
import type { Location } from '../model/location.js';
import { decimalsFor, type Labels } from './people-text.js';

/**
 * Every device on the gateway as people see it, whatever its kind: Modbus devices from their
 * profiles, dry contacts and tag readers from the config, local outputs. Each point carries its
 * labels, state names and display resolution, so the console and the report never show a raw
 * identifier or `true`/`false`.
 */
export type DeviceKind = 'modbus' | 'contact' | 'tag-reader' | 'output';

export interface CataloguePoint {
  name: string;
  type: 'number' | 'boolean' | 'string';
  unit?: string;
  /** Decimals shown (numbers). */
  decimals?: number;
  role?: string;
  labels: Labels;
  /** Names of the states (booleans: 'true' / 'false'). */
  states?: Record<string, Labels>;
}

export interface CatalogueDevice {
  id: string;
  name?: string;
  kind: DeviceKind;
  /** The profile's model designation (Modbus), or the reader protocol. */
  model?: string;
  location: Location;
  points: CataloguePoint[];
}

/** State names a boolean point gets when its profile names none: what its role means. */
const ROLE_STATES: Record<string, Record<'true' | 'false', Labels>> = {
  alarm: { true: { 'zh-CN': '报警', en: 'Alarm' }, false: { 'zh-CN': '正常', en: 'Normal' } },
  fault: { true: { 'zh-CN': '故障', en: 'Fault' }, false: { 'zh-CN': '正常', en: 'Normal' } },
  tamper: { true: { 'zh-CN': '被拆动', en: 'Tampered' }, false: { 'zh-CN': '正常', en: 'Normal' } },
  value: { true: { 'zh-CN': '开', en: 'On' }, false: { 'zh-CN': '关', en: 'Off' } },
};

function booleanPoint(name: string, role: string | undefined, labels: Labels | undefined, states: Record<string, Labels> | undefined): CataloguePoint {
  const p: CataloguePoint = { name, type: 'boolean', labels: labels ?? {}, states: { ...ROLE_STATES[role ?? 'value'], ...states } };
  if (role !== undefined) p.role = role;
  return p;
}

export function deviceCatalogue(config: HearthConfig, profiles: DeviceProfiles | undefined): CatalogueDevice[] {
  const out: CatalogueDevice[] = [];
  for (const d of config.devices) {
    const profile = profiles?.get(d.id);
    const points: CataloguePoint[] = [];
    for (const p of profile?.points ?? []) {
      if (p.type === 'bool') {
        points.push(booleanPoint(p.name, p.role, p.labels, p.states));
        continue;
      }
      const cp: CataloguePoint = { name: p.name, type: 'number', labels: p.labels ?? {}, decimals: decimalsFor(p) };
      if (p.unit !== undefined) cp.unit = p.unit;
      if (p.states !== undefined) cp.states = p.states;
      points.push(cp);
    }
    for (const field of profile?.bitFields ?? []) for (const b of field.bits) points.push(booleanPoint(b.name, b.role, b.labels, b.states));
    out.push(named({ id: d.id, kind: 'modbus', location: d.location, points, ...(profile ? { model: profile.model } : {}) }, d.name));
  }
  for (const i of config.gpio?.inputs ?? []) {
    out.push(named({ id: i.id, kind: 'contact', location: i.location, points: [booleanPoint(i.point, i.role, i.labels, i.states)] }, i.name));
  }
  for (const r of config.tags?.readers ?? []) {
    const tag: CataloguePoint = { name: 'tag', type: 'string', labels: { 'zh-CN': '标签', en: 'Tag' } };
    out.push(named({ id: r.id, kind: 'tag-reader', model: r.protocol, location: r.location, points: [tag] }, r.name));
  }
  for (const o of config.gpio?.outputs ?? []) {
    out.push(named({ id: o.name, kind: 'output', location: config.gateway.location ?? {}, points: [] }, o.description));
  }
  return out;
}

function named(d: CatalogueDevice, name: string | undefined): CatalogueDevice {
  if (name !== undefined) d.name = name;
  return d;
}
