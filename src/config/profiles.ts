import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadProfileSync, shippedProfileDir } from '../../drivers/modbus/profile.js';
import { profilePointSpecs } from '../../drivers/modbus/profile-points.js';
import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import { isProfilePath } from './defaults.js';
import { devicePointSpecs } from './effective-points.js';
import { ConfigError, formatIssue } from './errors.js';
import type { Finding } from './finding.js';
import { suggest } from './suggest.js';
import type { DeviceConfig, HearthConfig } from './types.js';

/** Device id -> its loaded profile. */
export type DeviceProfiles = Map<string, ModbusProfile>;

/** Folders searched for a profile name, in order: the config's profilePaths, then the shipped ones. */
export function profileSearchDirs(profilePaths: readonly string[]): string[] {
  return [...profilePaths, shippedProfileDir()];
}

/**
 * The file a `profile:` value refers to. A value with a folder part or a .yaml/.yml extension is a
 * path (already absolute after loading); otherwise it is a name, and the first `<name>.yaml` or
 * `<name>.yml` found in profileSearchDirs wins, so a site can override a shipped profile.
 */
export function resolveProfileRef(ref: string, profilePaths: readonly string[]): string | undefined {
  if (isProfilePath(ref)) return existsSync(ref) ? ref : undefined;
  for (const dir of profileSearchDirs(profilePaths)) {
    for (const ext of ['.yaml', '.yml']) {
      const file = join(dir, ref + ext);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** Names of all profiles findable by name, for "did you mean" hints and `hearth profiles`. */
export function availableProfileNames(profilePaths: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of profileSearchDirs(profilePaths)) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // a missing profile folder is reported nowhere else either: just nothing found there
    }
    for (const f of entries) if (/\.ya?ml$/.test(f)) names.add(f.replace(/\.ya?ml$/, ''));
  }
  return [...names].sort();
}

/**
 * Load every device's profile and check the device's overrides against it. Each broken profile is
 * reported once, under the first key that refers to it.
 */
export function loadDeviceProfiles(config: HearthConfig): { profiles: DeviceProfiles; findings: Finding[] } {
  const profiles: DeviceProfiles = new Map();
  const findings: Finding[] = [];
  const cache = new Map<string, ModbusProfile | null>();

  const load = (ref: string, segments: (string | number)[]): ModbusProfile | undefined => {
    const cached = cache.get(ref);
    if (cached !== undefined) return cached ?? undefined;
    const file = resolveProfileRef(ref, config.profilePaths);
    let profile: ModbusProfile | null = null;
    if (file === undefined) {
      findings.push({ segments, message: notFoundMessage(ref, config.profilePaths) });
    } else {
      try {
        profile = loadProfileSync(file);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const issue of err.issues) findings.push({ segments, message: `${basename(file)}: ${formatIssue(issue)}` });
      }
    }
    cache.set(ref, profile);
    return profile ?? undefined;
  };

  config.devices.forEach((device, i) => {
    const profile = load(device.profile, ['devices', i, 'profile']);
    if (!profile) return;
    profiles.set(device.id, profile);
    findings.push(...checkOverrides(device, i, profile));
  });
  config.demo?.simulators.forEach((sim, i) => load(sim.profile, ['demo', 'simulators', i, 'profile']));
  return { profiles, findings };
}

function checkOverrides(device: DeviceConfig, i: number, profile: ModbusProfile): Finding[] {
  const findings: Finding[] = [];
  const points = profilePointSpecs(profile);
  const names = points.map((p) => p.name);
  for (const section of ['thresholds', 'reporting'] as const) {
    for (const name of Object.keys(device[section])) {
      const point = points.find((p) => p.name === name);
      const segments = ['devices', i, section, name];
      if (!point) {
        const close = suggest(name, names);
        const hint = close ? ` (did you mean '${close}'?)` : ` (points: ${names.join(', ')})`;
        findings.push({ segments, message: `no point '${name}' in profile '${profile.name}'${hint}` });
      } else if (point.type !== 'number') {
        findings.push({ segments, message: `${section} apply to numeric points only; '${name}' is ${point.type}` });
      }
    }
  }
  for (const p of devicePointSpecs(points, device)) {
    const t = p.thresholds;
    if (device.thresholds[p.name] && t?.high !== undefined && t.low !== undefined && t.low >= t.high) {
      findings.push({ segments: ['devices', i, 'thresholds', p.name], message: `low (${t.low}) must be below high (${t.high}) after merging with the profile` });
    }
  }
  return findings;
}

function notFoundMessage(ref: string, profilePaths: readonly string[]): string {
  if (isProfilePath(ref)) return `cannot read profile file ${ref} (ENOENT)`;
  const close = suggest(ref, availableProfileNames(profilePaths));
  const hint = close ? `; did you mean '${close}'?` : '';
  return `no profile named '${ref}' (looked for ${ref}.yaml in ${profileSearchDirs(profilePaths).join(', ')}${hint})`;
}
