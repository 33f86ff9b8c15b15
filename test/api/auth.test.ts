import t from 'tap';
import { rotateToken } from '../../src/api/token.js';
import { startApiHarness } from './harness.js';

const h = await startApiHarness({ failures: { max: 3, windowMs: 60_000 }, bodyLimit: 1024 });
t.teardown(() => h.close());

t.test('no token: 401 on every protected route; /healthz and the console are public', async (t) => {
  for (const [method, url] of [
    ['GET', '/api/status'],
    ['GET', '/api/devices'],
    ['GET', '/api/events'],
    ['GET', '/api/alarms'],
    ['POST', '/api/test-alarm'],
    ['POST', '/api/scans'],
    ['GET', '/api/live'],
    ['GET', '/metrics'],
    ['GET', '/api/report'],
  ] as const) {
    const res = await h.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
    t.equal(res.statusCode, 401, `${method} ${url}`);
    t.equal(res.json().code, 'API_UNAUTHORIZED');
  }
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200);
  const page = await h.app.inject({ url: '/' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-security-policy'], /default-src 'self'/);
});

t.test('bearer token and login cookie', async (t) => {
  const ok = await h.app.inject({ url: '/api/status', headers: h.auth() });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().gatewayId, 'gw-api');

  const login = await h.app.inject({ method: 'POST', url: '/api/login', payload: { token: h.token } });
  t.equal(login.statusCode, 200);
  const cookie = login.cookies.find((c) => c.name === 'hearth_session');
  t.ok(cookie, 'session cookie set');
  t.equal(cookie!.httpOnly, true);
  t.equal(cookie!.sameSite, 'Strict');
  const viaCookie = await h.app.inject({ url: '/api/devices', cookies: { hearth_session: cookie!.value } });
  t.equal(viaCookie.statusCode, 200);
  t.equal(viaCookie.json().length, 2);

  const out = await h.app.inject({ method: 'POST', url: '/api/logout', cookies: { hearth_session: cookie!.value } });
  t.equal(out.statusCode, 200);
  t.equal((await h.app.inject({ url: '/api/devices', cookies: { hearth_session: cookie!.value } })).statusCode, 401, 'session ended');
});

t.test('rotating the token ends sessions and old bearer tokens', async (t) => {
  const login = await h.app.inject({ method: 'POST', url: '/api/login', payload: { token: h.token } });
  const sid = login.cookies.find((c) => c.name === 'hearth_session')!.value;
  const fresh = rotateToken(`${h.dir}/state`);
  const old = await h.app.inject({ url: '/api/status', cookies: { hearth_session: sid }, remoteAddress: '10.0.0.50' });
  t.equal(old.statusCode, 401, 'session made with the old token is gone');
  const bearerOld = await h.app.inject({ url: '/api/status', headers: { authorization: `Bearer ${h.token}` }, remoteAddress: '10.0.0.50' });
  t.equal(bearerOld.statusCode, 401);
  const bearerNew = await h.app.inject({ url: '/api/status', headers: { authorization: `Bearer ${fresh}` }, remoteAddress: '10.0.0.50' });
  t.equal(bearerNew.statusCode, 200);
});

t.test('repeated failures from one address are rate limited; others are not', async (t) => {
  const bad = { remoteAddress: '10.0.0.9' };
  for (let i = 0; i < 3; i++) {
    const res = await h.app.inject({ method: 'POST', url: '/api/login', payload: { token: `guess-${i}` }, ...bad });
    t.equal(res.statusCode, 401, `guess ${i} refused`);
  }
  const blocked = await h.app.inject({ method: 'POST', url: '/api/login', payload: { token: 'guess-4' }, ...bad });
  t.equal(blocked.statusCode, 429);
  t.equal(blocked.json().code, 'API_TOO_MANY_FAILURES');
  t.ok(Number(blocked.headers['retry-after']) > 0, 'retry-after given');
  // Even the right token is refused from the blocked address for the window...
  const right = await h.app.inject({ url: '/api/status', headers: h.auth(), ...bad });
  t.equal(right.statusCode, 429);
  // ...while another address is unaffected.
  const other = await h.app.inject({ url: '/api/status', headers: h.auth(), remoteAddress: '10.0.0.10' });
  t.equal(other.statusCode, 200);
  // A wrong bearer token counts as a failure too.
  for (let i = 0; i < 3; i++) await h.app.inject({ url: '/api/status', headers: { authorization: 'Bearer nope' }, remoteAddress: '10.0.0.11' });
  t.equal((await h.app.inject({ url: '/api/status', headers: h.auth(), remoteAddress: '10.0.0.11' })).statusCode, 429);
});

t.test('bad bodies: 400, oversize: 413, wrong type: 415', async (t) => {
  const headers = h.auth();
  const unknownField = await h.app.inject({ method: 'POST', url: '/api/test-alarm', headers, payload: { deviceId: 'smoke-1', rm: '-rf' } });
  t.equal(unknownField.statusCode, 400);
  t.equal(unknownField.json().code, 'API_BAD_REQUEST');
  const wrongType = await h.app.inject({ method: 'POST', url: '/api/scans', headers, payload: { bus: 'spare', from: 'one' } });
  t.equal(wrongType.statusCode, 400);
  const missing = await h.app.inject({ method: 'POST', url: '/api/alarms/x1/silence', headers, payload: {} });
  t.equal(missing.statusCode, 400);
  t.match(missing.json().message, /minutes/);
  const badJson = await h.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/json' }, payload: '{"token":' });
  t.equal(badJson.statusCode, 400);
  const huge = await h.app.inject({ method: 'POST', url: '/api/test-alarm', headers, payload: { by: 'x'.repeat(5000) } });
  t.equal(huge.statusCode, 413);
  t.equal(huge.json().statusCode, 413);
  const text = await h.app.inject({ method: 'POST', url: '/api/test-alarm', headers: { ...headers, 'content-type': 'application/xml' }, payload: '<a/>' });
  t.equal(text.statusCode, 415);
  const badId = await h.app.inject({ url: '/api/devices/bad%20id%3B', headers });
  t.equal(badId.statusCode, 400);
});
