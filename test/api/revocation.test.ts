import t, { type Test } from 'tap';
import { addUser, revokeUser } from '../../src/api/access/user-file.js';
import { rotateToken } from '../../src/api/token.js';
import { call, openLive } from './http-client.js';
import { startApiHarness } from './harness.js';

/**
 * Revocation ends what was already open: a live stream (SSE) held by a real HTTP client ends
 * within a couple of seconds of its token being revoked or rotated, or of its session's logout,
 * while a stream of someone else stays open.
 */
const h = await startApiHarness();
t.teardown(() => h.close());
await h.app.listen({ host: '127.0.0.1', port: 0 });
const port = (h.app.server.address() as { port: number }).port;
const origin = { origin: `http://127.0.0.1:${port}` };
const ENDS_WITHIN_MS = 5000;

const bystander = addUser(h.stateDir, 'bystander', 'viewer').token;

async function bystanderStream(t: Test) {
  const s = await openLive(port, { authorization: `Bearer ${bystander}` });
  t.equal(s.status, 200, 'a stream of someone else');
  t.teardown(() => s.close());
  return s;
}

t.test('revoking a user (the file the CLI writes) ends their open live stream; others stay', async (t) => {
  const other = await bystanderStream(t);
  const { token } = addUser(h.stateDir, 'leaving-tenant', 'viewer');
  const live = await openLive(port, { authorization: `Bearer ${token}` });
  t.equal(live.status, 200);
  t.equal(await live.endedWithin(300), false, 'open while the token counts');
  revokeUser(h.stateDir, 'leaving-tenant');
  t.equal(await live.endedWithin(ENDS_WITHIN_MS), true, 'ended after the revocation');
  t.equal(await other.endedWithin(300), false, "the bystander's stream is still open");
  t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${token}` } })).status, 401);
});

t.test('rotating a user through the API ends their session and its live stream', async (t) => {
  const { token } = addUser(h.stateDir, 'tenant-302', 'viewer');
  const login = await call(port, 'POST', '/api/login', { headers: origin, body: { token } });
  const sid = login.session()!;
  t.ok(sid);
  const live = await openLive(port, { cookie: `hearth_session=${sid}` });
  t.equal(live.status, 200);
  const rotated = await call(port, 'POST', '/api/users/tenant-302/rotate', { headers: h.auth() });
  t.equal(rotated.status, 200);
  t.equal(await live.endedWithin(ENDS_WITHIN_MS), true, 'the stream ended');
  t.equal((await call(port, 'GET', '/api/status', { headers: { cookie: `hearth_session=${sid}` } })).status, 401, 'the session ended');
});

t.test('logout ends the live stream of that session, not the other sessions of the same person', async (t) => {
  const { token } = addUser(h.stateDir, 'installer-7', 'installer');
  const phone = (await call(port, 'POST', '/api/login', { headers: origin, body: { token } })).session()!;
  const laptop = (await call(port, 'POST', '/api/login', { headers: origin, body: { token } })).session()!;
  const onPhone = await openLive(port, { cookie: `hearth_session=${phone}` });
  const onLaptop = await openLive(port, { cookie: `hearth_session=${laptop}` });
  t.teardown(() => onLaptop.close());
  t.equal((await call(port, 'POST', '/api/logout', { headers: { ...origin, cookie: `hearth_session=${phone}` }, body: {} })).status, 200);
  t.equal(await onPhone.endedWithin(ENDS_WITHIN_MS), true, 'the logged-out session lost its stream');
  t.equal(await onLaptop.endedWithin(300), false, 'the other session still streams');
});

t.test('rotating the administrator token (hearth token --rotate) ends its sessions and streams', async (t) => {
  const other = await bystanderStream(t);
  const sid = (await call(port, 'POST', '/api/login', { headers: origin, body: { token: h.token } })).session()!;
  const viaCookie = await openLive(port, { cookie: `hearth_session=${sid}` });
  const viaBearer = await openLive(port, { authorization: `Bearer ${h.token}` });
  t.equal(viaCookie.status, 200);
  t.equal(viaBearer.status, 200);
  const fresh = rotateToken(h.stateDir);
  t.equal(await viaCookie.endedWithin(ENDS_WITHIN_MS), true, 'the session stream ended');
  t.equal(await viaBearer.endedWithin(ENDS_WITHIN_MS), true, 'the bearer stream ended');
  t.equal(await other.endedWithin(300), false, "a viewer's stream is not the administrator's");
  t.equal((await call(port, 'GET', '/api/status', { headers: { authorization: `Bearer ${fresh}` } })).status, 200);
});
