import type { Finding } from './finding.js';
import { unreadable } from './finding.js';
import { suggest } from './suggest.js';
import type { HearthConfig } from './types.js';

/** Ids of everything that raises events as a device: field devices, GPIO inputs, tag readers. */
function deviceIds(config: HearthConfig): string[] {
  return [...config.devices.map((d) => d.id), ...(config.gpio?.inputs ?? []).map((i) => i.id), ...(config.tags?.readers ?? []).map((r) => r.id)];
}

/** The monitoring centres: unique ids beside the platform, known devices, sound connection settings. */
export function checkCentres(config: HearthConfig, opts: { checkFiles: boolean }): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  const known = deviceIds(config);
  config.centres.forEach((c, i) => {
    const at = (segments: (string | number)[], message: string) => findings.push({ segments: ['centres', i, ...segments], message });
    if (c.id === 'platform') at(['id'], "'platform' is the MQTT platform's destination id: choose another");
    const first = seen.get(c.id);
    if (first !== undefined) at(['id'], `duplicate centre id '${c.id}' (also centres[${first}])`);
    else seen.set(c.id, i);
    const clash = config.centres.findIndex((o, j) => j < i && o.host === c.host && o.port === c.port);
    if (clash >= 0) at(['port'], `centres[${clash}] already connects to ${c.host}:${c.port}`);
    if (c.reconnectMinMs > c.reconnectMaxMs) at(['reconnectMinMs'], `must not exceed reconnectMaxMs (${c.reconnectMaxMs}), got ${c.reconnectMinMs}`);
    if (c.route.kinds !== undefined && c.route.kinds.length === 0 && !c.route.readings) at(['route'], 'routes nothing to this centre: give kinds, or leave kinds out for every kind');
    for (const id of Object.keys(c.devices)) {
      if (known.includes(id)) continue;
      const close = suggest(id, known);
      at(['devices', id], `no device, GPIO input or tag reader with id '${id}'${close ? ` (did you mean '${close}'?)` : ''}`);
    }
    const tls = c.tls;
    if (tls !== undefined && (tls.cert === undefined) !== (tls.key === undefined)) at(['tls', tls.cert === undefined ? 'cert' : 'key'], 'client certificate and key must be given together');
    if (opts.checkFiles && tls !== undefined) {
      for (const key of ['ca', 'cert', 'key'] as const) {
        const file = tls[key];
        const problem = file === undefined ? undefined : unreadable(file);
        if (problem) at(['tls', key], `cannot read ${file} (${problem})`);
      }
    }
  });
  return findings;
}
