import t from 'tap';
import { AlarmDesk } from '../../src/alarms/desk.js';
import { MAX_MINUTES, WalkTest } from '../../src/alarms/walk-test.js';
import type { LocalActionRule } from '../../src/config/io-types.js';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/clock/clock.js';
import { FakeTimers } from '../devices/fakes.js';
import { event, outputsRig } from './rig.js';

const RULES: LocalActionRule[] = [
  { name: 'fire-siren', when: { kinds: ['alarm'], severities: ['fire'] }, do: [{ output: 'siren', mode: 'on' }, { output: 'elevator-block', mode: 'on' }], untilRestore: true, commands: [] },
];
const installer = { by: 'installer-li', via: 'console' as const };

async function deskRig() {
  const r = await outputsRig();
  const desk = new AlarmDesk({ actions: RULES, outputs: () => r.outputs, now: () => r.clock.now(), mono: () => r.clock.mono(), faults: ignoreFaults, logger: silentLogger(), timers: r.timers });
  desk.outputsReady();
  return { ...r, desk };
}

t.test('the unit: bounded, scoped, alarms only; it ends by itself even if its timer is lost', async (t) => {
  const clock = new ManualClock();
  const lost = { setTimeout: () => 0, clearTimeout: () => undefined }; // a timer that never fires
  const ended: string[] = [];
  const w = new WalkTest({ now: () => clock.now(), timers: lost, onEnd: (s) => ended.push(s.endedBy!) });
  t.throws(() => w.start({ by: 'li', minutes: MAX_MINUTES + 1 }), { code: 'WALK_TEST_INVALID' }, 'no test longer than the maximum');
  t.throws(() => w.start({ by: 'li', minutes: 0 }), { code: 'WALK_TEST_INVALID' });
  t.throws(() => w.start({ by: 'li', devices: [] }), { code: 'WALK_TEST_INVALID' }, 'an empty device list is no "whole site"');
  const s = w.start({ by: 'li', devices: ['smoke-1'] });
  t.equal(s.endsAt - s.startedAt, 30 * 60_000, 'default 30 min');
  t.throws(() => w.start({ by: 'li' }), { code: 'WALK_TEST_ACTIVE' });
  t.same(w.classify(event('alarm', { deviceId: 'smoke-2' })), { test: false, holdSounders: false }, 'a device outside the test alarms for real');
  t.same(w.classify(event('fault', { deviceId: 'smoke-1' })), { test: false, holdSounders: false }, 'a fault is never a test');
  const a = event('alarm', { deviceId: 'smoke-1', ts: 1000 });
  t.same(w.classify(a), { test: true, holdSounders: true });
  t.same(w.classify(event('restore', { deviceId: 'smoke-1', restores: a.id, ts: 2000 })), { test: true, holdSounders: false }, 'its restore is flagged too');
  t.match(w.latest()!.hits, [{ deviceId: 'smoke-1', eventId: a.id, at: 1000, restoredAt: 2000 }], 'which detector alarmed when');
  clock.advance(30 * 60_000);
  t.same(w.classify(event('alarm', { deviceId: 'smoke-1' })), { test: false, holdSounders: false }, 'after its end time: a real alarm, timer or not');
  t.same(ended, ['timeout']);
  t.equal(w.active(), undefined);
  t.equal(w.latest()!.endedAt, s.endsAt);
});

t.test('a quiet walk test: the test alarm is on the desk, flagged, its relays act, its sounder stays off', async (t) => {
  const r = await deskRig();
  r.desk.walkTest.start({ by: 'li', devices: ['smoke-1'] });
  const a = event('alarm', { deviceId: 'smoke-1' });
  r.desk.onEvent(a);
  t.equal(a.test, true, 'flagged on the event that goes to the outbox');
  t.equal(r.siren(), 0, 'no sounder');
  t.ok(r.elevatorBlocked(), 'relays still act');
  t.match(r.desk.list(), [{ event: { id: a.id, test: true }, sounding: false }], 'on the desk like any alarm');
  const real = event('alarm', { deviceId: 'smoke-2' });
  r.desk.onEvent(real);
  t.equal(real.test, undefined, 'a detector outside the test is no test');
  t.equal(r.siren(), 1, 'and sounds at once');
});

t.test('a detector still in alarm when the test ends sounds then; one restored meanwhile does not', async (t) => {
  const r = await deskRig();
  r.desk.walkTest.start({ by: 'li', minutes: 10 });
  const stays = event('alarm', { deviceId: 'smoke-1' });
  const goes = event('alarm', { deviceId: 'smoke-2' });
  r.desk.onEvent(stays);
  r.desk.onEvent(goes);
  r.desk.onEvent(event('restore', { deviceId: 'smoke-2', restores: goes.id }));
  t.equal(r.siren(), 0);
  await r.timers.advance(10 * 60_000);
  t.equal(r.desk.walkTest.active(), undefined, 'ended by itself');
  t.equal(r.siren(), 1, 'the alarm that outlasted the test sounds');
  t.match(r.desk.get(stays.id), { sounding: true });
  t.match(r.desk.get(goes.id), { sounding: false });
});

t.test('a silence inside a quiet test gives nothing back before the test ends; ending the test early sounds what is still in alarm', async (t) => {
  const r = await deskRig();
  r.desk.walkTest.start({ by: 'li', minutes: 60 });
  const a = event('alarm');
  r.desk.onEvent(a);
  r.desk.silence(a.id, 1, installer);
  await r.timers.advance(2 * 60_000);
  t.equal(r.siren(), 0, 'silence over, test still on: quiet');
  r.desk.walkTest.stop('li');
  t.equal(r.siren(), 1, 'test ended by the installer: the alarm sounds');
});

t.test('a walk test with sounders asked for: test alarms sound, and are still flagged', async (t) => {
  const r = await deskRig();
  r.desk.walkTest.start({ by: 'li', sounders: true });
  const a = event('alarm');
  r.desk.onEvent(a);
  t.equal(a.test, true);
  t.equal(r.siren(), 1);
});

t.test('the timer of the unit: fake timers end it at its time', async (t) => {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const w = new WalkTest({ now: () => clock.now(), timers });
  w.start({ by: 'li', minutes: 5 });
  await timers.advance(5 * 60_000 - 1);
  t.ok(w.active(), 'still on a millisecond before');
  await timers.advance(1);
  t.equal(w.latest()?.endedBy, 'timeout');
});
