import t from 'tap';
import type { PointSpec } from '../../src/model/point.js';
import { DEVICE, harness } from './harness.js';

const residual: PointSpec = { name: 'residual_current', type: 'number', unit: 'mA', thresholds: { high: 300 } };

t.test('offline after N consecutive failed polls, once; online restores it', async (t) => {
  const h = harness([residual], { offline: { afterPolls: 3, afterMs: 60_000 } });
  h.feed('residual_current', 10);
  t.equal(h.engine.availability(DEVICE), 'online');
  h.clock.advance(1000);
  h.engine.pollFailed(DEVICE, 'MODBUS_TIMEOUT');
  h.clock.advance(1000);
  h.engine.pollFailed(DEVICE, 'MODBUS_CRC');
  t.same(h.events, [], 'two failures: not yet');
  h.clock.advance(1000);
  h.engine.pollFailed(DEVICE, 'MODBUS_TIMEOUT');
  t.equal(h.events.length, 1);
  const offline = h.events[0];
  t.match(offline, {
    kind: 'offline',
    severity: 'major',
    deviceId: DEVICE,
    message: 'device rcd-1 offline: no valid answer to 3 polls (last error MODBUS_TIMEOUT)',
    location: { room: 'meter room' },
  });
  t.notOk('point' in (offline ?? {}), 'a device event has no point');
  t.equal(h.engine.availability(DEVICE), 'offline');

  for (let i = 0; i < 10; i++) {
    h.clock.advance(1000);
    h.engine.pollFailed(DEVICE, 'MODBUS_TIMEOUT');
    h.engine.tick();
  }
  t.equal(h.events.length, 1, 'no duplicate offline events');

  const [online] = h.feedAfter(1000, 'residual_current', 10);
  t.match(online, { kind: 'online', restores: offline?.id, message: 'device rcd-1 back online after 11 s' });
  t.equal(h.engine.availability(DEVICE), 'online');
  t.same(h.feedAfter(1000, 'residual_current', 10), [], 'no second online');
});

t.test('offline after T ms since the last valid answer, by poll or by tick', async (t) => {
  const h = harness([residual], { offline: { afterPolls: 100, afterMs: 5000 } });
  h.feed('residual_current', 10);
  h.clock.advance(4000);
  h.engine.pollFailed(DEVICE, 'MODBUS_TIMEOUT');
  h.clock.advance(999);
  h.engine.tick();
  t.same(h.events, [], '4999 ms: not yet');
  h.clock.advance(1);
  h.engine.tick();
  t.match(h.events, [{ kind: 'offline', message: 'device rcd-1 offline: no valid answer for 5 s (last error MODBUS_TIMEOUT)' }]);
});

t.test('a healthy device polled rarely does not go offline by time', async (t) => {
  const h = harness([residual], { offline: { afterPolls: 3, afterMs: 5000 } });
  h.feed('residual_current', 10);
  h.clock.advance(60_000);
  h.engine.tick();
  t.same(h.events, []);
});

t.test('a device that never answered is reported offline after the limits', async (t) => {
  const byTime = harness([residual], { offline: { afterPolls: 3, afterMs: 5000 } });
  byTime.engine.tick(); // observation begins
  byTime.clock.advance(5000);
  byTime.engine.tick();
  t.match(byTime.events, [{ kind: 'offline' }]);
  t.notOk(byTime.events[0]?.message.includes('last error'), 'no error seen yet');

  const byPolls = harness([residual], { offline: { afterPolls: 2, afterMs: 60_000 } });
  byPolls.engine.pollFailed(DEVICE, 'BUS_DISCONNECTED');
  byPolls.engine.pollFailed(DEVICE, 'BUS_DISCONNECTED');
  t.match(byPolls.events, [{ kind: 'offline' }]);
  t.equal(byPolls.engine.availability(DEVICE), 'offline');
});

t.test('while offline, alarm state is kept: no spurious restore, no duplicate alarm on return', async (t) => {
  const h = harness([residual], { offline: { afterPolls: 1, afterMs: 60_000 } });
  const [alarm] = h.feed('residual_current', 400);
  h.engine.pollFailed(DEVICE, 'MODBUS_TIMEOUT');
  t.same(
    h.events.map((e) => e.kind),
    ['alarm', 'offline'],
  );
  t.same(
    h.engine.activeEvents(DEVICE).map((e) => e.kind).sort(),
    ['alarm', 'offline'],
  );
  const back = h.feedAfter(1000, 'residual_current', 450);
  t.same(
    back.map((e) => e.kind),
    ['online'],
    'still above: the alarm stays, no new one',
  );
  const [restore] = h.feedAfter(1000, 'residual_current', 100);
  t.equal(restore?.restores, alarm?.id, 'the restore ends the alarm raised before the outage');
});

t.test('going offline cancels a pending on-delay (continuity unknown)', async (t) => {
  const h = harness([{ ...residual, thresholds: { high: 300, onDelayMs: 3000 } }], { offline: { afterPolls: 1, afterMs: 60_000 } });
  h.feed('residual_current', 400);
  h.clock.advance(1000);
  h.engine.pollFailed(DEVICE, 'MODBUS_TIMEOUT');
  const back = h.feedAfter(2500, 'residual_current', 400);
  t.same(back.map((e) => e.kind), ['online'], 'delay restarts after the outage instead of firing at once');
  t.equal(h.feedAfter(3000, 'residual_current', 400)[0]?.kind, 'alarm');
});

t.test('unknown device is a coded error', async (t) => {
  const h = harness([residual]);
  t.throws(() => h.engine.pollFailed('nope', 'X'), { code: 'RULES_UNKNOWN_DEVICE' });
});
