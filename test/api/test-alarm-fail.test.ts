import t from 'tap';
import { waitFor } from '../helpers/net.js';
import { startApiHarness } from './harness.js';

// The platform is away: a test alarm is kept in the outbox, and without a PUBACK in time it fails
// (100 s on a gateway; 2 s here). When the platform is back the event is still delivered.
const h = await startApiHarness({}, 2000);
t.teardown(() => h.close());

t.test('no confirmation in time: fail, and the report says so', async (t) => {
  await waitFor(async () => (await h.app.inject({ url: '/api/status', headers: h.auth() })).json().uplink?.connected === true, 30_000, 100);
  await h.broker.stop();
  await waitFor(async () => (await h.app.inject({ url: '/api/status', headers: h.auth() })).json().uplink?.connected === false, 30_000, 100);
  const sent = await h.app.inject({ method: 'POST', url: '/api/test-alarm', headers: h.auth(), payload: { deviceId: 'smoke-2' } });
  t.equal(sent.json().result, 'pending');
  await waitFor(async () => {
    const list = (await h.app.inject({ url: '/api/test-alarms', headers: h.auth() })).json();
    return list.some((x: { eventId: string; result: string }) => x.eventId === sent.json().eventId && x.result === 'fail');
  }, 20_000, 100);
  const report = (await h.app.inject({ url: '/api/report', headers: h.auth() })).json();
  t.equal(report.devices.find((d: { id: string }) => d.id === 'smoke-2').testAlarm, 'fail');
  t.equal(report.summary.failed, 1);
  const status = (await h.app.inject({ url: '/api/status', headers: h.auth() })).json();
  t.ok(status.outbox.depth.events >= 1, 'the test event waits in the outbox for the platform');
  await h.broker.start();
});
