import { platformRules } from '../../config/sections/platform-rules.js';
import type { HearthConfig } from '../../config/types.js';

/**
 * The platform's connection rules as the gateway will apply them (docs/platforms.md, "Connection
 * rules"), so an installer sees before the first start that, say, IoTDA gets no will and 50
 * messages a second at most.
 */
export function describePlatformRules(config: HearthConfig): string[] {
  const p = config.platform;
  if (p.kind === 'embedded') return [];
  const rules = platformRules(p.codec);
  const perSec = p.maxMessagesPerSec ?? rules.maxMessagesPerSec;
  const will = rules.will ? 'last will' : 'no will (offline status on an orderly stop)';
  const pace = perSec !== undefined ? `at most ${perSec} messages/s, events first` : 'no message rate cap';
  return [`  codec    ${p.codec}: MQTT ${p.mqttVersion}, keepalive ${p.keepaliveS} s, ${will}, ${pace}`];
}
