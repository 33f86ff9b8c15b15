import { parseConfig } from '../../src/config/load.js';
import type { PlatformConfig } from '../../src/config/types.js';

/**
 * The platform section exactly as a gateway runs it with nothing set but the broker URL: the
 * defaults come from the config schema itself (src/config/sections/platform.ts), so a fleet test
 * or benchmark measures what is shipped, not a hand-kept copy that drifts from it. Plain MQTT to
 * the local test broker is allowed; the client id is the gateway's.
 */
export function shippedPlatform(url: string, clientId: string): PlatformConfig {
  const config = parseConfig(`gateway: { id: ${clientId} }\nplatform: { url: '${url}', allowInsecure: true }\n`, '/etc/hearth/hearth.yaml', { checkFiles: false });
  return { ...config.platform, clientId };
}
