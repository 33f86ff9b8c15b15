import t from 'tap';
import { addUser } from '../../src/api/access/user-file.js';
import type { AuditEntry } from '../../src/remote/audit-log.js';
import { call } from './http-client.js';
import { startApiHarness } from './harness.js';

/**
 * Over real HTTP on 127.0.0.1: cross-site state changes with the session cookie are refused and
 * same-origin ones accepted; every state change lands in the audit log with who, role, what, when
 * and from where; a locked-out address still serves a valid session. The lockout test is last: it
 * blocks 127.0.0.1 for the rest of the window.
 */
const h = await startApiHarness({ failures: { max: 3, windowMs: 10 * 60_000 } });
t.teardown(() => h.close());
await h.app.listen({ host: '127.0.0.1', port: 0 });
const port = (h.app.server.address() as { port: number }).port;
const own = `http://127.0.0.1:${port}`;
const installer = addUser(h.stateDir, 'ivan', 'installer').token;
const viewer = addUser(h.stateDir, 'flat-101', 'viewer').token;
const t0 = Date.now();

async function login(token: string): Promise<string> {
  const res = await call(port, 'POST', '/api/login', { headers: { origin: own, 'sec-fetch-site': 'same-origin' }, body: { token } });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.body}`);
  return res.session()!;
}

t.test('cookie-authenticated state changes: same origin accepted, cross-site refused with API_CROSS_ORIGIN; bearer exempt', async (t) => {
  const cookie = `hearth_session=${await login(installer)}`;
  const post = (headers: Record<string, string>) => call(port, 'POST', '/api/test-alarm', { headers: { cookie, ...headers }, body: {} });
  t.equal((await post({ origin: own, 'sec-fetch-site': 'same-origin' })).status, 200, 'the console itself');
  t.equal((await post({ origin: own })).status, 200, 'Origin alone, matching');
  t.equal((await post({ 'sec-fetch-site': 'same-origin' })).status, 200, 'Sec-Fetch-Site alone');
  for (const [why, headers] of [
    ['another site', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['Origin of another port', { origin: `http://127.0.0.1:${port + 1}` }],
    ['https Origin to an http console', { origin: `https://127.0.0.1:${port}` }],
    ['same-site subdomain', { 'sec-fetch-site': 'same-site' }],
    ['a sandboxed page (Origin: null)', { origin: 'null' }],
    ['neither header', {}],
  ] as const) {
    const res = await post(headers);
    t.equal(res.status, 403, why);
    t.equal(res.json().code, 'API_CROSS_ORIGIN', why);
  }
  t.equal((await call(port, 'GET', '/api/status', { headers: { cookie, origin: 'http://evil.example' } })).status, 200, 'reads are not state changes');
  const bearer = await call(port, 'POST', '/api/test-alarm', { headers: { authorization: `Bearer ${installer}`, origin: 'http://evil.example' }, body: {} });
  t.equal(bearer.status, 200, 'a bearer token is no ambient credential');
  const crossLogin = await call(port, 'POST', '/api/login', { headers: { 'sec-fetch-site': 'cross-site' }, body: { token: installer } });
  t.equal(crossLogin.status, 403, 'a cross-site login form is refused');
});

t.test('the audit log: who, role, what, when, from where, outcome; GET /api/audit for administrators only', async (t) => {
  const cookie = `hearth_session=${await login(viewer)}`;
  const silenced = await call(port, 'POST', '/api/alarms/no-such-alarm/silence', { headers: { cookie, origin: own }, body: { minutes: 15, by: 'Mrs Li' } });
  t.equal(silenced.status, 404);
  t.equal((await call(port, 'POST', '/api/login', { headers: { origin: own }, body: { token: 'not-the-token-at-all' } })).status, 401);
  t.equal((await call(port, 'POST', '/api/logout', { headers: { cookie, origin: own }, body: {} })).status, 200);
  const added = await call(port, 'POST', '/api/users', { headers: h.auth(), body: { name: 'flat-102', role: 'viewer' } });
  t.equal(added.status, 201);

  t.equal((await call(port, 'GET', '/api/audit', { headers: { authorization: `Bearer ${viewer}` } })).status, 403, 'viewers do not read the audit');
  t.equal((await call(port, 'GET', '/api/audit', { headers: { authorization: `Bearer ${installer}` } })).status, 403, 'nor do installers');
  const res = await call(port, 'GET', '/api/audit?limit=200', { headers: h.auth() });
  t.equal(res.status, 200);
  const entries = res.json() as AuditEntry[];
  t.ok(entries.every((e, i) => i === 0 || entries[i - 1]!.at >= e.at), 'newest first');
  t.ok(entries.every((e) => e.at >= t0 && e.at <= Date.now()), 'when');
  const find = (command: string, pred: (e: AuditEntry) => boolean = () => true) => entries.find((e) => e.command === command && pred(e));
  t.match(find('POST /api/test-alarm', (e) => e.via === 'console' && e.outcome === 'done'), { user: 'ivan', role: 'installer', by: 'console:ivan', from: '127.0.0.1', outcome: 'done', code: 'OK' });
  t.match(find('POST /api/test-alarm', (e) => e.via === 'api'), { user: 'ivan', role: 'installer', from: '127.0.0.1', outcome: 'done' });
  t.match(find('POST /api/alarms/:id/silence'), { user: 'flat-101', role: 'viewer', via: 'console', params: { id: 'no-such-alarm', minutes: 15, by: 'Mrs Li' }, outcome: 'rejected', code: 'API_NOT_FOUND' });
  t.match(find('POST /api/login', (e) => e.outcome === 'rejected'), { by: 'unknown', from: '127.0.0.1', code: 'API_UNAUTHORIZED' });
  t.match(find('POST /api/login', (e) => e.user === 'flat-101'), { role: 'viewer', outcome: 'done' });
  t.match(find('POST /api/logout'), { user: 'flat-101', outcome: 'done' });
  t.match(find('POST /api/users'), { user: 'admin', role: 'administrator', via: 'api', params: { name: 'flat-102', role: 'viewer' }, outcome: 'done' });
  t.notOk(res.body.includes(added.json().token), 'a new token is never written to the audit');
  t.notOk(res.body.includes('not-the-token-at-all'), 'nor a guessed one');
  t.match(find('POST /api/test-alarm', (e) => e.code === 'API_CROSS_ORIGIN'), { user: 'ivan', via: 'console', outcome: 'rejected' }, 'a refused cross-site attempt is recorded');
  t.equal(h.audit.newest(1)[0]!.command, entries[0]!.command, 'the same file as the gateway\'s audit log');
});

t.test('a locked-out address: 429 for bearer tokens and logins, even right ones; a valid session is still served', async (t) => {
  const session = `hearth_session=${await login(installer)}`;
  for (let i = 0; i < 3; i++) t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer wrong-guess-${i}-xxxxxxxx` } })).status, 401);
  const right = await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${installer}` } });
  t.equal(right.status, 429, 'the right bearer token is refused too (no guessing oracle)');
  t.ok(Number(right.headers['retry-after']) > 0);
  t.equal((await call(port, 'POST', '/api/login', { headers: { origin: own }, body: { token: installer } })).status, 429, 'so is a right login');
  t.equal((await call(port, 'GET', '/api/status', { headers: { cookie: session } })).status, 200, 'the session made before is served');
  t.equal((await call(port, 'POST', '/api/test-alarm', { headers: { cookie: session, origin: own }, body: {} })).status, 200, 'and may act');
  t.equal((await call(port, 'GET', '/api/status', { headers: { cookie: 'hearth_session=made-up-session-id' } })).status, 429, 'a made-up session is not');
  t.equal((await call(port, 'GET', '/api/status')).status, 429, 'nor no credentials');
});
