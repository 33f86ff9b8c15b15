import { request } from 'node:http';
import t from 'tap';
import { waitFor } from '../helpers/net.js';
import { startApiHarness } from './harness.js';

const h = await startApiHarness();
t.teardown(() => h.close());
const get = async (url: string) => {
  const res = await h.app.inject({ url, headers: h.auth() });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};
const post = (url: string, payload: object = {}) => h.app.inject({ method: 'POST', url, headers: h.auth(), payload });

// Both detectors answer and the uplink reached Mosquitto before the routes are checked.
await waitFor(async () => {
  const s = await get('/api/status');
  return s.devices.online === 2 && s.uplink?.connected === true;
}, 30_000, 100);

t.test('/healthz, /api/status', async (t) => {
  const health = await h.app.inject({ url: '/healthz' });
  t.same(health.json().ok, true);
  const s = await get('/api/status');
  t.equal(s.gatewayId, 'gw-api');
  t.equal(s.name, 'API test house');
  t.match(s.version, /\d+\.\d+\.\d+/);
  t.equal(s.clock.synced, true);
  t.equal(s.uplink.connected, true);
  t.type(s.outbox.total, 'number');
  t.same(s.devices, { total: 2, online: 2, offline: 0, starting: 0 });
});

t.test('devices with live values, detail with history, read now', async (t) => {
  const list = await get('/api/devices');
  t.same(list.map((d: { id: string }) => d.id).sort(), ['smoke-1', 'smoke-2']);
  const one = list.find((d: { id: string }) => d.id === 'smoke-1');
  t.equal(one.address, 1);
  t.equal(one.state, 'online');
  t.equal(one.location.room, 'living');
  t.ok(Math.abs(one.values.temperature.value - 21.5) < 0.01, 'decoded through the profile');
  t.equal(one.values.temperature.quality, 'good');
  t.ok(one.counters.ok > 0);

  h.set(1, { temperature: 30 });
  const read = await post('/api/devices/smoke-1/read');
  t.equal(read.statusCode, 200);
  t.equal(read.json().ok, true);
  t.ok(Math.abs(read.json().device.values.temperature.value - 30) < 0.01, 'read now sees the new value');

  const detail = await get('/api/devices/smoke-1?point=temperature');
  t.equal(detail.device.id, 'smoke-1');
  t.ok(detail.history.length >= 2, 'history for the chart');
  t.ok(detail.history.every((r: { point: string }) => r.point === 'temperature'));
  t.equal((await h.app.inject({ url: '/api/devices/nope', headers: h.auth() })).statusCode, 404);
  t.equal((await post('/api/devices/nope/read')).statusCode, 404);
});

t.test('an alarm: listed, acknowledged, silenced; kept in the console state', async (t) => {
  h.set(2, { fire_alarm: true });
  await waitFor(async () => (await get('/api/alarms')).some((a: { event: { kind: string } }) => a.event.kind === 'alarm'), 15_000, 50);
  const alarm = (await get('/api/alarms')).find((a: { event: { kind: string } }) => a.event.kind === 'alarm');
  t.equal(alarm.event.deviceId, 'smoke-2');
  t.equal(alarm.event.severity, 'fire');
  t.notOk(alarm.acknowledged);

  const ack = await post(`/api/alarms/${alarm.event.id}/ack`, { by: 'installer Li' });
  t.equal(ack.statusCode, 200);
  t.equal(ack.json().acknowledged.by, 'installer Li');
  const silence = await post(`/api/alarms/${alarm.event.id}/silence`, { minutes: 15 });
  t.equal(silence.statusCode, 200);
  t.ok(silence.json().silencedUntil > Date.now() + 14 * 60_000);
  const devices = await get('/api/devices');
  t.equal(devices.find((d: { id: string }) => d.id === 'smoke-2').alarms[0].acknowledged.by, 'installer Li');
  t.equal((await post('/api/alarms/not-an-alarm/ack', {})).statusCode, 404);

  const events = await get('/api/events?limit=50');
  t.ok(events.some((e: { id: string }) => e.id === alarm.event.id), 'the alarm is in the recent events');

  h.set(2, { fire_alarm: false });
  await waitFor(async () => (await get('/api/alarms')).length === 0, 15_000, 50);
  t.pass('restored');
});

t.test('outputs: none configured yet', async (t) => {
  t.same(await get('/api/outputs'), []);
  const res = await post('/api/outputs/siren-1/test', { durationMs: 1000 });
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'OUTPUT_NONE');
});

t.test('test alarm reaches the platform (Mosquitto PUBACK) and passes; report lists it', async (t) => {
  const res = await post('/api/test-alarm', { deviceId: 'smoke-1', by: 'installer Li' });
  t.equal(res.statusCode, 200);
  const rec = res.json();
  t.equal(rec.deviceId, 'smoke-1');
  t.equal(rec.result, 'pending');
  await waitFor(async () => (await get('/api/test-alarms')).some((x: { eventId: string; result: string }) => x.eventId === rec.eventId && x.result === 'pass'), 20_000, 50);
  const done = (await get('/api/test-alarms')).find((x: { eventId: string }) => x.eventId === rec.eventId);
  t.ok(done.confirmedAt >= rec.sentAt, 'confirmed after it was sent');
  t.equal((await post('/api/test-alarm', { deviceId: 'ghost' })).statusCode, 404);
  const gw = await post('/api/test-alarm', {});
  t.equal(gw.json().deviceId, 'gw-api', 'without a device: the gateway itself');

  const report = await get('/api/report');
  t.equal(report.gatewayId, 'gw-api');
  const row = report.devices.find((d: { id: string }) => d.id === 'smoke-1');
  t.equal(row.testAlarm, 'pass');
  t.equal(row.address, 1);
  t.equal(row.location.room, 'living');
  t.ok(row.lastValues.some((v: { point: string }) => v.point === 'temperature'));
  t.equal(report.devices.find((d: { id: string }) => d.id === 'smoke-2').testAlarm, 'not-tested');
  t.equal(report.summary.passed, 1);
  const html = await h.app.inject({ url: '/api/report.html', headers: h.auth() });
  t.equal(html.statusCode, 200);
  t.match(html.headers['content-type'], /text\/html/);
  t.match(html.body, /smoke-1[\s\S]*通过（平台已确认）/);
});

t.test('bus scan: addresses on a bus no device uses yet', async (t) => {
  t.same((await get('/api/buses')).map((b: { id: string }) => b.id), ['line-1', 'spare']);
  const start = await post('/api/scans', { bus: 'spare', from: 1, to: 12, timeoutMs: 50 });
  t.equal(start.statusCode, 202);
  const id = start.json().id;
  t.equal((await post('/api/scans', { bus: 'spare', from: 1, to: 3 })).statusCode, 409, 'one scan per bus at a time');
  await waitFor(async () => (await get(`/api/scans/${id}`)).state !== 'running', 20_000, 50);
  const job = await get(`/api/scans/${id}`);
  t.equal(job.state, 'done');
  t.same(job.found.map((f: { unit: number }) => f.unit), [1, 2, 5, 9]);
  t.equal(job.progress.done, 12);
  t.equal((await post('/api/scans', { bus: 'nope' })).statusCode, 404);
  t.equal((await post('/api/scans', { bus: 'spare', from: 9, to: 3 })).statusCode, 400);
  t.equal((await h.app.inject({ url: '/api/scans/abc', headers: h.auth() })).statusCode, 404);
});

t.test('metrics', async (t) => {
  const res = await h.app.inject({ url: '/metrics', headers: h.auth() });
  t.equal(res.statusCode, 200);
  for (const name of [
    'hearth_device_polls_total{device="smoke-1",result="ok"}',
    'hearth_device_errors_total',
    'hearth_outbox_depth{priority="fire"}',
    'hearth_outbox_oldest_unsent_age_seconds',
    'hearth_uplink_connected 1',
    'hearth_events_total{kind="alarm",severity="fire"} 1',
    'nodejs_eventloop_lag_seconds',
  ]) {
    t.ok(res.body.includes(name), name);
  }
});

t.test('live feed over SSE (real socket)', async (t) => {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.server.address() as { port: number };
  const chunks: string[] = [];
  const req = request({ host: '127.0.0.1', port: addr.port, path: '/api/live', headers: h.auth() });
  const status = await new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => chunks.push(d));
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(status, 200);
  // Readings are reported by exception: a value that moves is one the live feed carries.
  h.set(1, { smoke_density: 0.05 });
  await waitFor(() => chunks.join('').includes('event: reading'), 10_000, 20);
  h.set(1, { fire_alarm: true });
  await waitFor(() => /event: event\ndata: .*"kind":"alarm"/.test(chunks.join('')), 10_000, 20);
  h.set(1, { fire_alarm: false });
  const data = chunks.join('').split('\n').find((l) => l.startsWith('data: {"type":"reading"'))!;
  const msg = JSON.parse(data.slice(6));
  t.ok(['smoke-1', 'smoke-2'].includes(msg.reading.deviceId));
  req.destroy();
});
