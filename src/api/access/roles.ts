/**
 * Who may do what through the API and the console. Three roles, each with every right of the one
 * before it:
 *
 * - `viewer`: a resident. Sees status, devices, events and alarms (also live), acknowledges alarms
 *   and silences sounders: what someone at home needs in the middle of the night, nothing that
 *   changes how the gateway detects or reports.
 * - `installer`: commissioning. Plus device reads, output tests, test alarms, bus scans, the
 *   commissioning report and answering a monitoring centre's duty check.
 * - `administrator`: plus people and tokens (`/api/users`), and the audit log.
 *
 * Every route declares the least role it needs next to its definition (`config: { role }`);
 * `public` routes need no token at all (the console's files, /healthz, login and logout).
 */
export const ROLES = ['viewer', 'installer', 'administrator'] as const;
export type Role = (typeof ROLES)[number];
export type RouteRole = Role | 'public';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isRouteRole(value: unknown): value is RouteRole {
  return value === 'public' || isRole(value);
}

/** True when someone with `have` may use a route that needs `need`. */
export function roleAllows(have: Role, need: RouteRole): boolean {
  if (need === 'public') return true;
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; every route must declare one (checked when it is registered). */
    role?: RouteRole;
  }
}
