import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import type { MaintenanceTask } from '../../src/config/io-types.js';
import type { CommandAuditRecord, DeviceCommandResult } from '../../src/devices/device-commands.js';
import { nextDue } from '../../src/devices/maintenance-due.js';
import { MaintenanceSchedule, type MaintenanceState } from '../../src/devices/maintenance-schedule.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakeTimers } from '../devices/fakes.js';
import { recordFaults } from '../helpers/faults.js';
import { waitFor } from '../helpers/net.js';
import { simulatedBreaker } from './field.js';

const local = (y: number, m: number, d: number, hh = 0, mm = 0) => new Date(y, m - 1, d, hh, mm).getTime();

t.test('due times in local time: daily, weekly on a weekday, monthly on a day', async (t) => {
  const at = local(2026, 1, 15, 10, 0); // a Thursday
  t.equal(nextDue({ every: 'day', at: '03:00' }, at), local(2026, 1, 16, 3, 0));
  t.equal(nextDue({ every: 'day', at: '11:30' }, at), local(2026, 1, 15, 11, 30), 'later the same day');
  t.equal(nextDue({ every: 'week', day: 1, at: '03:00' }, at), local(2026, 1, 19, 3, 0), 'the next Monday');
  t.equal(nextDue({ every: 'month', day: 1, at: '03:00' }, at), local(2026, 2, 1, 3, 0));
  t.equal(nextDue({ every: 'month', day: 28, at: '03:00' }, local(2026, 2, 28, 3, 0)), local(2026, 3, 28, 3, 0), 'strictly after');
});

/**
 * The schedule in fast time (a manual clock and timers), the breaker's command in real time over
 * a simulated bus with the demo breaker's mechanics (its contact moves 300 ms after a write).
 */
async function rig(t: { teardown(fn: () => unknown): void }, start: number, state: MaintenanceState = { tasks: {} }) {
  const audit: CommandAuditRecord[] = [];
  const { map, commands } = await simulatedBreaker(t, (r) => audit.push(r), () => Date.now());
  const clock = new ManualClock(start);
  const timers = new FakeTimers(clock);
  const { faults, events: faultEvents } = recordFaults();
  const reports: { task: string; result: DeviceCommandResult; by: string }[] = [];
  let alarm = false;
  const data = structuredClone(state);
  const task: MaintenanceTask = { name: 'leakage-test', device: 'breaker-1', command: 'self_test', every: 'month', day: 1, at: '03:00', graceHours: 48 };
  const schedule = new MaintenanceSchedule({
    tasks: [task],
    run: (d, c, caller) => commands.run(d, c, {}, caller),
    state: { data, update: async (mutate) => mutate(data) },
    alarmActive: () => alarm,
    report: (tk, result, by) => reports.push({ task: tk.name, result, by }),
    faults,
    logger: silentLogger(),
    now: () => clock.now(),
    timers,
  });
  t.teardown(() => schedule.stop());
  return { map, clock, timers, schedule, reports, audit, faultEvents, data, setAlarm: (on: boolean) => (alarm = on) };
}

t.test('monthly at 03:00: runs then, confirmed by the contact, reported, kept; the next one a month on', async (t) => {
  const r = await rig(t, local(2026, 1, 15, 10, 0));
  r.schedule.start();
  await r.timers.advance(local(2026, 2, 1, 2, 59) - r.clock.now());
  t.equal(r.reports.length, 0, 'not before its time');
  await r.timers.advance(2 * 60_000);
  await waitFor(() => r.reports.length === 1, 5000);
  t.match(r.reports[0], { task: 'leakage-test', by: 'schedule:leakage-test', result: { result: 'confirmed', readBack: { value: false } } });
  t.match(r.audit[0], { command: 'self_test', caller: { via: 'schedule' } });
  t.match(r.data.tasks['leakage-test'], { lastResult: 'confirmed', lastBy: 'schedule:leakage-test' });
  t.same(r.schedule.list()[0]!.nextDue, local(2026, 3, 1, 3, 0));
  t.same(r.faultEvents, [], 'no fault');
});

t.test('never during an alarm: postponed until it is over', async (t) => {
  const r = await rig(t, local(2026, 1, 31, 23, 0));
  r.schedule.start();
  r.setAlarm(true);
  await r.timers.advance(5 * 3_600_000);
  t.equal(r.reports.length, 0, 'due at 03:00, an alarm active: not run');
  t.ok(r.schedule.list()[0]!.nextDue > local(2026, 2, 1, 3, 0) && r.schedule.list()[0]!.nextDue <= r.clock.now() + 600_000, 'the next due shown is the postponed one');
  await t.rejects(r.schedule.runNow('leakage-test', 'ann'), /not during an alarm/, 'on demand neither');
  r.setAlarm(false);
  await r.timers.advance(11 * 60_000);
  await waitFor(() => r.reports.length === 1, 5000);
  t.equal(r.reports[0]!.result.result, 'confirmed', 'run once the alarm was over');
});

t.test('a failed test is a fault; the next passed one clears it; on demand runs at once', async (t) => {
  const r = await rig(t, local(2026, 1, 31, 23, 0));
  r.schedule.start();
  // A breaker that does not trip on its test: its contact stays closed.
  r.map.onChange((c) => {
    if (c.area === 'discrete' && r.map.readBits(1, 'discrete', 0, 1)[0] === false && stuck) r.map.set(1, 'discrete', 0, true);
  });
  let stuck = true;
  await r.timers.advance(5 * 3_600_000);
  await waitFor(() => r.reports.length === 1, 10_000);
  t.equal(r.reports[0]!.result.result, 'not_confirmed');
  t.match(r.faultEvents.at(-1), { kind: 'fault', deviceId: 'breaker-1', point: 'maintenance:leakage-test', message: /self_test not confirmed/ });
  stuck = false;
  const again = await r.schedule.runNow('leakage-test', 'ann');
  t.equal(again.result, 'confirmed');
  t.match(r.faultEvents.at(-1), { kind: 'restore' }, 'cleared');
  t.equal(r.reports[1]!.by, 'ann');
});

t.test('missed while the gateway was off: runs a minute after the start; never passed for too long: overdue', async (t) => {
  const start = local(2026, 4, 10, 12, 0);
  const r = await rig(t, start, { tasks: { 'leakage-test': { since: local(2026, 1, 1), lastRunAt: local(2026, 1, 1, 3, 0), lastResult: 'not_confirmed' } } });
  r.schedule.start();
  t.equal(r.schedule.list()[0]!.overdue, true, 'not passed since January');
  await r.timers.advance(61_000);
  await waitFor(() => r.reports.length === 1, 5000);
  t.ok(r.faultEvents.some((e) => e.point === 'maintenance-overdue:leakage-test' && e.kind === 'fault'), 'overdue raised');
  t.ok(r.faultEvents.some((e) => e.point === 'maintenance-overdue:leakage-test' && e.kind === 'restore'), 'and cleared by the pass');
  t.equal(r.schedule.list()[0]!.overdue, false);
});
