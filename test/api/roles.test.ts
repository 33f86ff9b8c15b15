import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import t from 'tap';
import { addUser } from '../../src/api/access/user-file.js';
import { ROLES, roleAllows, type Role, type RouteRole } from '../../src/api/access/roles.js';
import { requireRouteRoles } from '../../src/api/access/route-roles.js';
import { call, openLive } from './http-client.js';
import { startApiHarness } from './harness.js';
import { repoPath } from '../helpers/repo.js';

/**
 * Every route has a role, the docs table says the same, and each role is let in or refused on
 * each route as declared. The expectations come from the app's own route list, so a new route
 * is checked the day it is added (and fails the build without a role).
 */
const h = await startApiHarness();
t.teardown(() => h.close());
await h.app.listen({ host: '127.0.0.1', port: 0 });
const port = (h.app.server.address() as { port: number }).port;

// An administrator of the users file: POST /api/token/rotate replaces the built-in token mid-walk.
const tokens: Record<Role, string> = {
  viewer: addUser(h.stateDir, 'resident-101', 'viewer').token,
  installer: addUser(h.stateDir, 'installer-1', 'installer').token,
  administrator: addUser(h.stateDir, 'manager', 'administrator').token,
};

/** A concrete path for a route pattern: parameters get values no gateway has (nothing real is changed). */
const concrete = (url: string) => url.replace(':name', 'nobody-here').replace(/:\w+/g, 'no-such-id');

async function statusFor(method: string, url: string, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  if (url === '/api/live') {
    const live = await openLive(port, headers);
    live.close();
    return { status: live.status };
  }
  const res = await call(port, method, concrete(url), { headers, ...(method === 'POST' ? { body: {} } : {}) });
  let code: string | undefined;
  try {
    code = res.json().code;
  } catch {
    code = undefined;
  }
  return { status: res.status, ...(code !== undefined ? { code } : {}) };
}

t.test('every route declares a role, and the docs table lists each route with the same role', async (t) => {
  const routes = h.app.routeRoles;
  t.ok(routes.length >= 25, `${routes.length} routes`);
  const documented = new Map<string, string>();
  const docs = readFileSync(repoPath('docs/api.md'), 'utf8');
  for (const m of docs.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)` \| (\w+) \|/gm)) documented.set(`${m[1]} ${m[2]}`, m[3]!);
  const inCode = new Map(routes.filter((r) => !r.hidden).map((r) => [`${r.method} ${r.url}`, r.role]));
  t.same(Object.fromEntries([...documented].sort()), Object.fromEntries([...inCode].sort()), 'docs/api.md matches the routes and their roles');
  for (const r of routes.filter((x) => x.hidden)) t.equal(r.role, 'public', `${r.method} ${r.url}: the console's files are public`);
});

t.test('a route without a role fails the build', async (t) => {
  const app = Fastify();
  requireRouteRoles(app);
  t.throws(() => app.get('/api/forgotten', async () => ({})), { code: 'API_ROUTE_WITHOUT_ROLE' });
  app.get('/api/remembered', { config: { role: 'viewer' } }, async () => ({}));
  await app.ready();
  t.same(app.routeRoles, [{ method: 'GET', url: '/api/remembered', role: 'viewer', hidden: false }], 'listed, without its HEAD twin');
  await app.close();
});

t.test('each role on each route: allowed where the table says, 403 API_FORBIDDEN elsewhere; public routes need nothing', async (t) => {
  for (const route of h.app.routeRoles) {
    if (route.role === 'public') {
      if (route.url === '/api/login') continue; // tried elsewhere with a body
      const res = await statusFor(route.method, route.url, {});
      t.not(res.status, 401, `${route.method} ${route.url} without a token`);
      t.not(res.status, 403, `${route.method} ${route.url} without a token`);
      continue;
    }
    const none = await statusFor(route.method, route.url, {});
    t.equal(none.status, 401, `${route.method} ${route.url} without a token`);
    for (const role of ROLES) {
      const res = await statusFor(route.method, route.url, { authorization: `Bearer ${tokens[role]}` });
      const label = `${route.method} ${route.url} as ${role} (needs ${route.role})`;
      if (roleAllows(role, route.role as RouteRole)) {
        t.notOk(res.status === 401 || res.status === 403, `${label}: allowed (${res.status} ${res.code ?? ''})`);
      } else {
        t.equal(res.status, 403, `${label}: refused`);
        t.equal(res.code, 'API_FORBIDDEN', label);
      }
    }
  }
});

t.test('GET /api/me says who the caller is', async (t) => {
  const me = await call(port, 'GET', '/api/me', { headers: { authorization: `Bearer ${tokens.viewer}` } });
  t.match(me.json(), { user: 'resident-101', role: 'viewer' });
  const admin = await call(port, 'GET', '/api/me', { headers: h.auth() });
  t.match(admin.json(), { user: 'admin', role: 'administrator' });
});

t.test('administrators manage users through the API; the new token works at once with its role', async (t) => {
  const admin = { authorization: `Bearer ${tokens.administrator}` };
  const bad = await call(port, 'POST', '/api/users', { headers: admin, body: { name: 'x y', role: 'viewer' } });
  t.equal(bad.status, 400);
  const badRole = await call(port, 'POST', '/api/users', { headers: admin, body: { name: 'flat-202', role: 'root' } });
  t.equal(badRole.status, 400);
  const added = await call(port, 'POST', '/api/users', { headers: admin, body: { name: 'flat-202', role: 'viewer' } });
  t.equal(added.status, 201);
  const token = added.json().token as string;
  t.match(added.json().user, { name: 'flat-202', role: 'viewer' });
  t.equal((await call(port, 'POST', '/api/users', { headers: admin, body: { name: 'flat-202', role: 'viewer' } })).json().code, 'USER_EXISTS');
  t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${token}` } })).status, 200);
  t.equal((await call(port, 'POST', '/api/scans', { headers: { authorization: `Bearer ${token}` }, body: { bus: 'spare' } })).status, 403);
  const list = await call(port, 'GET', '/api/users', { headers: admin });
  t.ok(list.json().some((u: { name: string }) => u.name === 'flat-202'));
  t.notOk(list.body.includes('tokenHash'), 'no hashes over the API');
  const rotated = await call(port, 'POST', '/api/users/flat-202/rotate', { headers: admin });
  t.equal(rotated.status, 200);
  t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${token}` } })).status, 401, 'the old token stopped');
  const fresh = rotated.json().token as string;
  t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${fresh}` } })).status, 200);
  t.equal((await call(port, 'DELETE', '/api/users/flat-202', { headers: admin })).status, 200);
  t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${fresh}` } })).status, 401, 'revoked');
  t.equal((await call(port, 'DELETE', '/api/users/flat-202', { headers: admin })).json().code, 'USER_UNKNOWN');
});

t.test('an administrator replaces the built-in token through the API; the old one stops at once', async (t) => {
  const before = h.auth();
  const res = await call(port, 'POST', '/api/token/rotate', { headers: before });
  t.equal(res.status, 200);
  const fresh = res.json().token as string;
  t.match(fresh, /^[A-Za-z0-9_-]{32}$/);
  t.equal((await call(port, 'GET', '/api/status', { headers: before })).status, 401, 'the old token stopped');
  t.match((await call(port, 'GET', '/api/me', { headers: { authorization: `Bearer ${fresh}` } })).json(), { user: 'admin', role: 'administrator' });
});
