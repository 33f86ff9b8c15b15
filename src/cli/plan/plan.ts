import { describeRemote } from './plan-remote.js';
import { describePlatformRules } from './plan-platform.js';
import { profilePointSpecs } from '../../../drivers/modbus/profile-points.js';
import { profileWarnings } from '../../../drivers/modbus/profile.js';
import type { ModbusProfile } from '../../../drivers/modbus/profile-types.js';
import { planProfileReads } from '../../../drivers/modbus/read-plan.js';
import type { Location } from '../../model/location.js';
import type { PointSpec } from '../../model/point.js';
import { devicePointSpecs } from '../../config/effective-points.js';
import { describeIo } from './plan-io.js';
import { describeCentres } from './plan-centres.js';
import type { DeviceProfiles } from '../../config/profiles.js';
import type { BusConfig, DeviceConfig, HearthConfig } from '../../config/types.js';

/**
 * What `hearth check <file>` prints: what the gateway will do with this config, for an installer on
 * a phone-width terminal. Buses, then each bus's devices with their points, register addresses,
 * raw types and the thresholds in effect (a `*` marks values set in the config, not the profile).
 */
export function describePlan(config: HearthConfig, profiles: DeviceProfiles): string {
  const out: string[] = [];
  const g = config.gateway;
  out.push(`gateway ${g.id}${g.name ? ` "${g.name}"` : ''}${locationText(g.location) ? `  ${locationText(g.location)}` : ''}`);
  out.push(`  state    ${g.stateDir}`, `  outbox   ${config.outbox.path} (quota ${config.outbox.quotaMb} MiB)`);
  out.push(`platform ${config.platform.kind === 'embedded' ? 'embedded broker ' : ''}${config.platform.url}`);
  out.push(`  client   ${config.platform.clientId}, topics ${config.platform.topicPrefix}/...${tlsText(config)}`);
  out.push(...describePlatformRules(config));
  out.push(config.api.enabled ? `api      http://${config.api.host}:${config.api.port}` : 'api      off');
  out.push(...describeCentres(config, profiles));
  out.push(...describeRemote(config));

  for (const bus of config.buses) {
    out.push('', `bus ${bus.id}: ${busText(bus)}`);
    const devices = config.devices.filter((d) => d.bus === bus.id);
    if (devices.length === 0) out.push('  (no devices)');
    for (const device of devices) out.push(...deviceLines(device, profiles.get(device.id)));
  }
  out.push(...describeIo(config));

  const warnings = [...new Set([...profiles.values()].flatMap(profileWarnings))];
  if (warnings.length > 0) out.push('', 'warnings:', ...warnings.map((w) => `  ! ${w}`));
  return `${out.join('\n')}\n`;
}

function busText(bus: BusConfig): string {
  const timing = `timeout ${bus.timeoutMs} ms, ${bus.retries} ${bus.retries === 1 ? 'retry' : 'retries'}`;
  switch (bus.type) {
    case 'modbus-rtu':
      return `RTU ${bus.port} ${bus.baudRate} ${bus.dataBits}${bus.parity[0]!.toUpperCase()}${bus.stopBits}\n  ${timing}`;
    case 'modbus-rtu-over-tcp':
      return `RTU over TCP ${bus.host}:${bus.port} (${bus.baudRate} baud)\n  ${timing}`;
    case 'modbus-tcp':
      return `Modbus TCP ${bus.host}:${bus.port}\n  ${timing}`;
  }
}

function deviceLines(device: DeviceConfig, profile: ModbusProfile | undefined): string[] {
  const lines = ['', `  ${device.id}  unit ${device.address}, every ${duration(device.pollIntervalMs)}${device.enabled ? '' : '  (DISABLED)'}`];
  if (device.name) lines.push(`    ${device.name}`);
  lines.push(`    where: ${locationText(device.location)}`);
  if (!profile) return [...lines, `    profile: ${device.profile} (not loaded)`];
  const requests = planProfileReads(profile).length;
  lines.push(`    profile: ${profile.name} (${profile.kind}${profile.example ? ', EXAMPLE map' : ''}), ${requests} ${requests === 1 ? 'request' : 'requests'}/poll`);

  const specs = devicePointSpecs(profilePointSpecs(profile), device);
  const where = registerLabels(profile);
  const nameWidth = Math.max(...specs.map((s) => s.name.length));
  const typeWidth = Math.max(12, ...[...where.values()].map((l) => l.type.length));
  for (const spec of specs) {
    const label = where.get(spec.name) ?? { at: '', type: '' };
    const columns = [spec.name.padEnd(nameWidth), label.at.padEnd(6), label.type.padEnd(typeWidth), (spec.unit ?? '').padEnd(4)];
    const rule = ruleText(spec, device);
    lines.push(`    ${columns.join(' ')}${rule ? ` ${rule}` : ''}`.trimEnd());
  }
  return lines;
}

/**
 * `ir0` / `hr256` / `ir5.3` (bit 3) / `co2` / `di7`, and the raw type with what turns it into the
 * value, as a formula: `int16×0.1-40` is raw × 0.1 − 40 (a wrong offset reads as a plausible but
 * wrong temperature, so the plan must show it).
 */
function registerLabels(profile: ModbusProfile): Map<string, { at: string; type: string }> {
  const prefix = { input: 'ir', holding: 'hr', coil: 'co', discrete: 'di' } as const;
  const labels = new Map<string, { at: string; type: string }>();
  for (const p of profile.points) {
    const order = p.type.endsWith('32') && (p.byteOrder !== 'big' || p.wordOrder !== 'big') ? ` ${orderName(p.byteOrder, p.wordOrder)}` : '';
    const scale = p.scale !== undefined && p.scale !== 1 ? `×${p.scale}` : '';
    const offset = p.offset !== undefined && p.offset !== 0 ? `${p.offset > 0 ? '+' : ''}${p.offset}` : '';
    labels.set(p.name, { at: `${prefix[p.area]}${p.address}`, type: `${p.type}${scale}${offset}${order}` });
  }
  for (const f of profile.bitFields) for (const b of f.bits) labels.set(b.name, { at: `${prefix[f.area]}${f.address}.${b.bit}`, type: 'bit' });
  return labels;
}

function orderName(byteOrder: string, wordOrder: string): string {
  const names: Record<string, string> = { 'big/big': 'ABCD', 'big/little': 'CDAB', 'little/big': 'BADC', 'little/little': 'DCBA' };
  return names[`${byteOrder}/${wordOrder}`] ?? '';
}

/** `alarm >300* (hyst 30, 3 s) critical`, `fault`, `tamper`; `*` = overridden in this config. */
function ruleText(spec: PointSpec, device: DeviceConfig): string {
  if (spec.type === 'boolean') {
    if (!spec.role || spec.role === 'value') return '';
    const severity = spec.severity ?? (spec.role === 'alarm' ? 'fire' : spec.role === 'fault' ? 'major' : '');
    return `${spec.role}${spec.activeLow ? ' when 0' : ''}${severity ? ` ${severity}` : ''}`;
  }
  const t = spec.thresholds;
  if (!t || (t.high === undefined && t.low === undefined)) return '';
  const o = device.thresholds[spec.name] ?? {};
  const mark = (key: keyof typeof o) => (o[key] !== undefined ? '*' : '');
  const limits = [t.high !== undefined ? `>${t.high}${mark('high')}` : '', t.low !== undefined ? `<${t.low}${mark('low')}` : ''].filter(Boolean).join(' ');
  const extra = [t.hysteresis ? `hyst ${t.hysteresis}${mark('hysteresis')}` : '', t.onDelayMs ? `${duration(t.onDelayMs)}${mark('onDelayMs')}` : ''].filter(Boolean);
  return `${t.kind ?? 'alarm'} ${limits}${extra.length > 0 ? ` (${extra.join(', ')})` : ''} ${t.severity ?? 'critical'}${mark('severity')}`;
}

function locationText(l: Location): string {
  const parts = [l.building, l.floor !== undefined ? `floor ${l.floor}` : undefined, l.room, l.note];
  return parts.filter((p) => p !== undefined && p !== '').join(' / ');
}

function tlsText(config: HearthConfig): string {
  const tls = config.platform.tls;
  const files = (['ca', 'cert', 'key'] as const).filter((k) => tls[k] !== undefined);
  return files.length > 0 ? `, TLS ${files.join('+')}` : '';
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
