import type { HearthConfig } from '../config/types.js';
import type { DestinationRoute } from '../outbox/routing.js';
import { PLATFORM_DESTINATION } from '../outbox/types.js';

type RouteConfig = { kinds?: DestinationRoute['kinds']; minSeverity?: DestinationRoute['minSeverity']; readings: boolean };

function route(id: string, r: RouteConfig): DestinationRoute {
  const out: DestinationRoute = { id, readings: r.readings };
  if (r.kinds !== undefined) out.kinds = r.kinds;
  if (r.minSeverity !== undefined) out.minSeverity = r.minSeverity;
  return out;
}

/**
 * The outbox's destinations from the config: the MQTT platform (always; every record unless
 * `platform.route` says otherwise) and each monitoring centre with its route.
 */
export function destinationRoutes(config: HearthConfig): DestinationRoute[] {
  return [route(PLATFORM_DESTINATION, config.platform.route ?? { readings: true }), ...config.centres.map((c) => route(c.id, c.route))];
}
