import t from 'tap';
import { AlarmDesk, type DeskChange } from '../../src/alarms/desk.js';
import type { Condition } from '../../src/alarms/conditions.js';
import type { LocalActionRule } from '../../src/config/io-types.js';
import { GatewayFaults } from '../../src/faults/gateway-faults.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { event, outputsRig } from './rig.js';

const RULES: LocalActionRule[] = [
  { name: 'fire-siren', when: { kinds: ['alarm'], severities: ['fire'] }, do: [{ output: 'siren', mode: 'pattern', pattern: [500, 500] }, { output: 'elevator-block', mode: 'on' }], untilRestore: true, commands: [] },
];
const console_ = { by: 'installer-li', via: 'console' as const, role: 'installer', from: '192.0.2.7' };

async function deskRig(opts: { latched?: Condition[]; saved?: Condition[][] } = {}) {
  const r = await outputsRig();
  const changes: DeskChange['type'][] = [];
  const upstream: GatewayEvent[] = [];
  let desk: AlarmDesk;
  // Faults the desk raises go through the same path as every event: back into the desk.
  const faults = new GatewayFaults({
    gatewayId: 'gw',
    clock: r.clock,
    seq: new CounterSequence(),
    location: {},
    sink: {
      event: (e) => {
        upstream.push(e);
        desk.onEvent(e);
      },
    },
  });
  desk = new AlarmDesk({
    actions: RULES,
    outputs: () => r.outputs,
    now: () => r.clock.now(),
    mono: () => r.clock.mono(),
    faults,
    logger: silentLogger(),
    timers: r.timers,
    latches: { load: () => opts.latched ?? [], save: (l) => opts.saved?.push([...l]) },
    onChange: (c) => changes.push(c.type),
  });
  desk.outputsReady();
  return { ...r, desk, changes, upstream };
}

t.test('a fire alarm sounds at once, shows on the desk, and latches after the detector restores until acknowledged', async (t) => {
  const saved: Condition[][] = [];
  const r = await deskRig({ saved });
  const alarm = event('alarm');
  r.desk.onEvent(alarm);
  t.equal(r.siren(), 1, 'siren in the same turn as the event');
  t.match(r.desk.list(), [{ event: { id: alarm.id }, sounding: true, receipt: 'awaited' }]);
  t.equal(r.desk.activeFireAlarms(), 1);
  r.desk.onEvent(event('restore', { restores: alarm.id }));
  t.equal(r.siren(), 0, 'the siren follows the detector');
  t.equal(r.desk.activeFireAlarms(), 0);
  t.match(r.desk.list(), [{ event: { id: alarm.id }, clearedAt: Number }], 'still shown: latched');
  t.equal(r.desk.summary().latched, 1);
  t.equal(saved.at(-1)?.length, 1, 'the latch is kept for a restart');
  const view = r.desk.acknowledge(alarm.id, console_);
  t.match(view.acknowledged, { by: 'installer-li', via: 'console' });
  t.same(r.desk.list(), [], 'acknowledged and restored: over');
  t.equal(saved.at(-1)?.length, 0);
  t.same(r.changes, ['raised', 'cleared', 'over']);
  t.throws(() => r.desk.acknowledge(alarm.id, console_), { code: 'ALARM_NOT_FOUND' });
});

t.test('an alarm acknowledged while active is over when it restores; faults do not latch', async (t) => {
  const r = await deskRig();
  const alarm = event('alarm');
  r.desk.onEvent(alarm);
  r.desk.acknowledge(alarm.id, console_);
  t.equal(r.siren(), 1, 'acknowledging is not silencing');
  r.desk.onEvent(event('restore', { restores: alarm.id }));
  t.same(r.desk.list(), []);
  const fault = event('fault', { severity: 'major', point: 'sensor' });
  r.desk.onEvent(fault);
  r.desk.onEvent(event('restore', { restores: fault.id, severity: 'major' }));
  t.same(r.desk.list(), []);
});

t.test('EN 54-2 silence: a timed silence re-sounds if the alarm is still there; a new alarm sounds; silencing never stops a sounder another alarm demands', async (t) => {
  const r = await deskRig();
  const a = event('alarm', { deviceId: 'smoke-101' });
  r.desk.onEvent(a);
  r.desk.silence(a.id, 1, { by: 'resident', via: 'console' });
  t.equal(r.siren(), 0, 'silenced');
  t.ok(r.elevatorBlocked(), 'relays keep their state');
  t.match(r.desk.get(a.id), { silenced: { by: 'resident' }, sounding: false });

  const b = event('alarm', { deviceId: 'smoke-102' });
  r.desk.onEvent(b);
  t.equal(r.siren(), 1, 'a new alarm sounds again');
  r.desk.silence(a.id, 5, { by: 'resident', via: 'remote' });
  t.equal(r.siren(), 1, 'silencing a again does not stop what b demands');

  r.desk.silence(b.id, 1, { by: 'resident', via: 'console' });
  t.equal(r.siren(), 0, 'both silenced');
  await r.timers.advance(60_000);
  t.equal(r.siren(), 1, "b's silence ran out with b still in alarm: sounding again");
  t.match(r.desk.get(b.id), { sounding: true });
  t.notOk(r.desk.get(b.id)!.silenced, 'the silence is over');
  r.desk.onEvent(event('restore', { restores: b.id }));
  t.equal(r.siren(), 0, 'b restored; a is still silenced for 4 more minutes');
  await r.timers.advance(4 * 60_000);
  t.equal(r.siren(), 1, "a's silence ran out with a still in alarm");
  r.desk.onEvent(event('restore', { restores: a.id }));
  t.equal(r.siren(), 0);
});

t.test('a silence that runs out after the alarm restored does not re-sound', async (t) => {
  const r = await deskRig();
  const a = event('alarm');
  r.desk.onEvent(a);
  r.desk.silenceAll(1, { by: 'x', via: 'console' });
  r.desk.onEvent(event('restore', { restores: a.id }));
  await r.timers.advance(61_000);
  t.equal(r.siren(), 0);
});

t.test('EN 54-21: a fire alarm not confirmed within the timeout raises a fault upstream, on the fault indicator, cleared by the receipt', async (t) => {
  const r = await deskRig();
  const a = event('alarm');
  r.desk.onEvent(a);
  await r.timers.advance(99_000);
  t.equal(r.faultLed(), 0);
  t.notOk(r.desk.receiptState().fault);
  await r.timers.advance(1000);
  t.ok(r.desk.receiptState().fault, 'overdue at 100 s');
  t.match(r.upstream, [{ kind: 'fault', severity: 'critical', point: 'alarm-receipt' }], 'a fault event goes upstream');
  t.equal(r.faultLed(), 1, 'the fault indicator is on');
  t.match(r.desk.get(a.id), { receipt: 'overdue' });
  r.desk.receiptsConfirmed(['someone-else', a.id]);
  t.notOk(r.desk.receiptState().fault);
  t.match(r.upstream.at(-1), { kind: 'restore', point: 'alarm-receipt' });
  t.equal(r.faultLed(), 0, 'indicator off once confirmed');
  t.match(r.desk.get(a.id), { receipt: 'confirmed' });
});

t.test('a confirmed alarm raises nothing; other kinds are not watched', async (t) => {
  const r = await deskRig();
  const a = event('alarm');
  r.desk.onEvent(a);
  r.desk.onEvent(event('alarm', { severity: 'major', deviceId: 'elevator-reader' }));
  r.desk.receiptsConfirmed([a.id]);
  await r.timers.advance(200_000);
  t.same(r.upstream, []);
});

t.test('the fault indicator follows faults and offline devices', async (t) => {
  const r = await deskRig();
  const off = event('offline', { severity: 'major', deviceId: 'rcd-1' });
  r.desk.onEvent(off);
  t.equal(r.faultLed(), 1);
  const f = event('fault', { severity: 'major', deviceId: 'rcd-2' });
  r.desk.onEvent(f);
  r.desk.onEvent(event('online', { restores: off.id, severity: 'major', deviceId: 'rcd-1' }));
  t.equal(r.faultLed(), 1, 'still one fault');
  r.desk.onEvent(event('restore', { restores: f.id, severity: 'major', deviceId: 'rcd-2' }));
  t.equal(r.faultLed(), 0);
});

t.test('latched alarms come back after a restart; a new alarm of the same point supersedes the old latch', async (t) => {
  const old = event('alarm', { deviceId: 'smoke-9', point: 'smoke' });
  const saved: Condition[][] = [];
  const r = await deskRig({ latched: [{ event: old, clearedAt: 123 }], saved });
  t.match(r.desk.list(), [{ event: { id: old.id }, clearedAt: 123 }]);
  const again = event('alarm', { deviceId: 'smoke-9', point: 'smoke' });
  r.desk.onEvent(again);
  t.same(r.desk.list().map((c) => c.event.id), [again.id]);
  t.same(saved, [[]], 'the superseded latch is off the file too, or a restart would bring it back');
});

t.test('a listener that throws does not break the alarm path', async (t) => {
  const r = await outputsRig();
  const desk = new AlarmDesk({
    actions: RULES,
    outputs: () => r.outputs,
    now: () => 0,
    faults: { raise: () => {}, clear: () => {}, active: () => false },
    logger: silentLogger(),
    timers: r.timers,
    onChange: () => {
      throw new Error('console gone');
    },
  });
  t.doesNotThrow(() => desk.onEvent(event('alarm')));
  t.equal(r.siren(), 1);
});
