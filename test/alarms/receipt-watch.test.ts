import t from 'tap';
import { RECEIPT_TIMEOUT_MS, ReceiptWatch, type ReceiptState } from '../../src/alarms/receipt-watch.js';
import { ManualClock } from '../../src/clock/clock.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakeTimers } from '../devices/fakes.js';
import { recordFaults } from '../helpers/faults.js';

function watch(timeoutMs?: number, onChange?: (s: ReceiptState) => void) {
  const clock = new ManualClock(0, 0);
  const timers = new FakeTimers(clock);
  const { faults, events } = recordFaults();
  const w = new ReceiptWatch({ timeoutMs, now: () => clock.now(), faults, logger: silentLogger(), timers, ...(onChange ? { onChange } : {}) });
  return { w, timers, events };
}

t.test('no receipt within 100 s (EN 54-21): one fault until every overdue alarm is confirmed', async (t) => {
  const changes: ReceiptState[] = [];
  const { w, timers, events } = watch(undefined, (s) => changes.push(s));
  t.equal(RECEIPT_TIMEOUT_MS, 100_000);
  w.raised({ id: 'a1', deviceId: 'smoke-1' });
  t.same(w.state(), { fault: false, awaiting: [{ id: 'a1', deviceId: 'smoke-1', raisedAt: 0, overdue: false }] });
  await timers.advance(99_999);
  t.notOk(w.state().fault, 'not yet at 99.999 s');
  await timers.advance(1);
  t.ok(w.state().fault, 'fault at 100 s');
  t.match(events, [{ kind: 'fault', severity: 'critical', point: 'alarm-receipt', message: /smoke-1/ }]);
  // Raising the same alarm again does not restart its clock; a second overdue alarm adds no fault event.
  w.raised({ id: 'a1', deviceId: 'smoke-1' });
  w.raised({ id: 'a2', deviceId: 'smoke-2' });
  await timers.advance(100_000);
  t.same(w.state().awaiting.map((a) => [a.id, a.overdue]), [['a1', true], ['a2', true]]);
  t.equal(events.length, 1, 'the fault was already raised');
  t.equal(w.confirmed(['a1', 'unknown']), 1, 'unknown ids are ignored');
  t.ok(w.state().fault, 'still on while another alarm is overdue');
  t.equal(w.confirmed(['a2']), 1);
  t.same(w.state(), { fault: false, awaiting: [] }, 'cleared');
  t.match(events[1], { kind: 'restore', point: 'alarm-receipt', restores: events[0]!.id });
  t.same(changes.map((c) => c.fault), [true, false]);
});

t.test('an alarm confirmed in time raises nothing; a throwing listener is contained', async (t) => {
  const { w, timers, events } = watch(1000, () => {
    throw new Error('gpio');
  });
  w.raised({ id: 'a1', deviceId: 'smoke-1' });
  await timers.advance(999);
  w.confirmed(['a1']);
  await timers.advance(5000);
  t.same(w.state(), { fault: false, awaiting: [] });
  t.same(events, []);
  w.raised({ id: 'a2', deviceId: 'smoke-1' });
  await t.resolves(timers.advance(1000), 'a failing listener does not break the watch');
  t.ok(w.state().fault);
  t.equal(w.status('a2'), 'overdue');
  w.stop();
});
