import t from 'tap';
import { waitFor } from '../helpers/net.js';
import { startApiHarness } from './harness.js';

/**
 * The walk test through the API against a real gateway (simulated RS-485 line, real outbox and
 * Mosquitto): a detector set off in test is a flagged test alarm; the device card acknowledges all
 * its points at once; the report says which detector alarmed when, in local time, in one language.
 */
const h = await startApiHarness();
t.teardown(() => h.close());
const get = async (url: string) => {
  const res = await h.app.inject({ url, headers: h.auth() });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};
const post = (url: string, payload: object = {}) => h.app.inject({ method: 'POST', url, headers: h.auth(), payload });
await waitFor(async () => (await get('/api/status')).devices.online === 2, 30_000, 100);

t.test('the catalogue: every point labelled, states named, resolution given', async (t) => {
  const cat = await get('/api/catalogue');
  const smoke = cat.find((d: { id: string }) => d.id === 'smoke-1');
  t.equal(smoke.kind, 'modbus');
  t.equal(smoke.model, 'EXAMPLE-PSD-485');
  const density = smoke.points.find((p: { name: string }) => p.name === 'smoke_density');
  t.same(density.labels, { 'zh-CN': '烟雾浓度', en: 'Smoke density' });
  t.equal(density.decimals, 3);
  const fire = smoke.points.find((p: { name: string }) => p.name === 'fire_alarm');
  t.same(fire.states.true, { 'zh-CN': '报警', en: 'Alarm' });
  await waitFor(async () => (await get('/api/catalogue')).find((d: { id: string }) => d.id === 'smoke-1').lastSeen > 0, 10_000, 100);
  t.pass('last seen from the readings');
  t.equal((await h.app.inject({ url: '/api/catalogue/ghost/trend?point=x', headers: h.auth() })).statusCode, 404);
  await waitFor(async () => (await get('/api/catalogue/smoke-1/trend?point=temperature')).length > 0, 10_000, 100);
  const trend = await get('/api/catalogue/smoke-1/trend?point=temperature');
  t.equal(trend[0].ts % 60_000, 0, 'one sample per minute');
  t.ok(Math.abs(trend[0].mean - 21.5) < 0.01);
});

t.test('walk test: bounded, one at a time, shown in the status', async (t) => {
  t.equal((await post('/api/walk-test', { minutes: 241 })).statusCode, 400, 'at most 4 h');
  t.equal((await post('/api/walk-test', { devices: ['ghost'] })).statusCode, 404);
  t.equal((await post('/api/walk-test/stop')).statusCode, 404, 'none runs');
  const res = await post('/api/walk-test', { devices: ['smoke-1'] });
  t.equal(res.statusCode, 200);
  const s = res.json();
  t.equal(s.endsAt - s.startedAt, 30 * 60_000, 'default 30 min');
  t.equal(s.by, 'admin');
  t.equal((await post('/api/walk-test', {})).statusCode, 409, 'one at a time');
  t.same((await get('/api/status')).walkTest.devices, ['smoke-1']);
});

t.test('a detector set off in the test: flagged test alarms on the desk and in the events; one acknowledgement per device', async (t) => {
  h.set(1, { fire_alarm: true, smoke_density: 0.4 });
  await waitFor(async () => (await get('/api/alarms')).filter((a: { event: { deviceId: string } }) => a.event.deviceId === 'smoke-1').length >= 2, 15_000, 100);
  const alarms = (await get('/api/alarms')).filter((a: { event: { deviceId: string } }) => a.event.deviceId === 'smoke-1');
  t.ok(alarms.every((a: { event: { test?: boolean } }) => a.event.test === true), 'every alarm of the device in test is flagged');
  t.ok((await get('/api/events?limit=50')).some((e: { kind: string; test?: boolean }) => e.kind === 'alarm' && e.test === true), 'the event as stored and sent carries the flag');
  const walk = await get('/api/walk-test');
  t.ok(walk.hits.some((x: { deviceId: string; point: string }) => x.deviceId === 'smoke-1' && x.point === 'fire_alarm'), 'which detector alarmed, and when');
  const ack = await post('/api/devices/smoke-1/ack');
  t.equal(ack.statusCode, 200);
  t.equal(ack.json().length, alarms.length, 'each alarm of the device acknowledged through the desk');
  t.ok((await get('/api/alarms')).filter((a: { event: { deviceId: string } }) => a.event.deviceId === 'smoke-1').every((a: { acknowledged?: object }) => a.acknowledged));
  t.equal((await post('/api/devices/smoke-1/ack')).statusCode, 404, 'nothing left to acknowledge');
  h.set(1, { fire_alarm: false, smoke_density: 0.02 });
});

t.test('the report: every device with its walk-test result, local time with the zone, two signatures, one language', async (t) => {
  const stop = await post('/api/walk-test/stop');
  t.equal(stop.statusCode, 200);
  t.equal(stop.json().endedBy, 'admin');
  t.equal((await get('/api/status')).walkTest, undefined, 'no longer shown once ended');
  const report = await get('/api/report');
  t.equal(report.devices.find((d: { id: string }) => d.id === 'smoke-1').walkTest, 'alarmed');
  t.equal(report.devices.find((d: { id: string }) => d.id === 'smoke-2').walkTest, 'not-in-test');
  t.equal(report.summary.walkAlarmed, 1);
  t.equal(report.timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone);
  for (const lang of ['en', 'zh-CN']) {
    const html = (await h.app.inject({ url: `/api/report.html?lang=${lang}`, headers: h.auth() })).body;
    t.notMatch(html, /smoke_density|fire_alarm|\btrue\b|\bfalse\b|T\d\d:\d\d:\d\d(\.\d+)?Z/, `${lang}: no raw point ids, booleans or UTC stamps`);
    t.match(html, lang === 'en' ? /Smoke density: 0\.\d{3} dB\/m/ : /烟雾浓度: 0\.\d{3} dB\/m/, `${lang}: labelled and rounded`);
    t.match(html, lang === 'en' ? /Installer&#39;s signature[\s\S]*Owner&#39;s signature/ : /安装调试人员签字[\s\S]*业主/);
    t.match(html, /@page\{size:A4/);
    t.match(html, lang === 'en' ? /Floor 1/ : /1层/);
  }
});

t.test('phone login: a one-time code becomes a session cookie once, then it is dead', async (t) => {
  const { issueLoginCode } = await import('../../src/api/login-codes.js');
  const { tokenHash } = await import('../../src/api/sessions.js');
  const { code } = issueLoginCode(h.stateDir, tokenHash(h.token));
  const login = await h.app.inject({ method: 'POST', url: '/api/login/code', payload: { code } });
  t.equal(login.statusCode, 200);
  t.equal(login.json().user, 'admin');
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  t.match(String(login.headers['set-cookie']), /HttpOnly/);
  t.equal((await h.app.inject({ url: '/api/me', headers: { cookie } })).json().role, 'administrator');
  const again = await h.app.inject({ method: 'POST', url: '/api/login/code', payload: { code } });
  t.equal(again.statusCode, 401, 'used once, then dead');
  t.equal(again.json().code, 'API_UNAUTHORIZED');
});
