import type { FastifyInstance } from 'fastify';
import { HearthError } from '../../errors.js';
import { isRouteRole, type RouteRole } from './roles.js';

/** One registered route and the role it declared. */
export interface RouteRoleEntry {
  method: string;
  url: string;
  role: RouteRole;
  /** Not in the API's documentation (the console's static files). */
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its role (docs and tests are checked against it). */
    routeRoles: RouteRoleEntry[];
  }
}

/**
 * Makes a role mandatory: registering a route without `config.role` fails the app's build (a new
 * route cannot slip in reachable by everyone, or by nobody by accident), and every route is listed
 * in `app.routeRoles`. Call before any route is registered. HEAD twins of GET routes are left out
 * of the list (same role, same handler).
 */
export function requireRouteRoles(app: FastifyInstance): void {
  const table: RouteRoleEntry[] = [];
  app.decorate('routeRoles', table);
  app.addHook('onRoute', (route) => {
    const role = (route.config as { role?: unknown } | undefined)?.role;
    const methods = [route.method].flat();
    if (!isRouteRole(role)) throw new HearthError('API_ROUTE_WITHOUT_ROLE', `${methods.join(',')} ${route.url} declares no role (config: { role: 'viewer' | 'installer' | 'administrator' | 'public' })`);
    for (const method of methods) {
      if (method === 'HEAD') continue;
      table.push({ method, url: route.url, role, hidden: (route.schema as { hide?: boolean } | undefined)?.hide === true });
    }
  });
}
