import type { DeviceProfiles } from '../../config/profiles.js';
import type { CentreConfig, HearthConfig } from '../../config/types.js';
import { buildGbt26875Site, decodeGb18030Field, encodeGb18030Field, loopAndPoint } from '../../uplink/gbt26875/index.js';

function routeText(c: CentreConfig): string {
  const kinds = c.route.kinds === undefined ? 'every event' : c.route.kinds.join(', ');
  const severity = c.route.minSeverity === undefined ? '' : ` (${c.route.minSeverity} and worse)`;
  return `${kinds}${severity}${c.route.readings ? ', readings' : ''}`;
}

/**
 * The monitoring centres, and how each sees every device: the points table an installer hands to
 * the centre (component type, loop and point, description as sent).
 */
export function describeCentres(config: HearthConfig, profiles: DeviceProfiles): string[] {
  const out: string[] = [];
  for (const c of config.centres) {
    out.push('', `centre ${c.id}: GB/T 26875.3 ${c.tls ? 'over TLS ' : ''}${c.host}:${c.port}, address ${c.sourceAddress} → ${c.centreAddress}`);
    out.push(`  takes    ${routeText(c)}`);
    out.push(`  confirm  within ${c.confirmTimeoutMs / 1000} s, ${c.resends} resends; heartbeat after ${c.heartbeatS} s of silence`);
    let site;
    try {
      site = buildGbt26875Site(config, profiles, { system: c.system, overrides: c.devices });
    } catch (err) {
      out.push(`  ! ${(err as Error).message}`);
      continue;
    }
    for (const [id, comp] of site.components) {
      const { loop, point } = loopAndPoint(comp.address);
      // As sent: GB 18030, cut to 31 bytes on a character boundary.
      const sent = decodeGb18030Field(encodeGb18030Field(comp.description));
      out.push(`  ${id.padEnd(16)} system ${comp.system.type}/${comp.system.address}, type ${String(comp.componentType).padStart(3)}, loop ${loop} point ${point}, "${sent}"`);
    }
  }
  return out;
}
