import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import { normalize } from '../../src/devices/normalize.js';
import type { PointSpec } from '../../src/model/point.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { harness } from './harness.js';

const smoke: PointSpec = { name: 'smoke', type: 'boolean', role: 'alarm' };
const sensorFault: PointSpec = { name: 'sensor', type: 'boolean', role: 'fault' };
const lid: PointSpec = { name: 'lid', type: 'boolean', role: 'tamper' };
const relay: PointSpec = { name: 'relay', type: 'boolean', role: 'value' };

t.test('alarm role: raise on active (default severity fire), restore on inactive', async (t) => {
  const h = harness([smoke]);
  t.same(h.feed('smoke', false), [], 'inactive at start: nothing');
  const [alarm] = h.feedAfter(1000, 'smoke', true);
  t.match(alarm, { kind: 'alarm', severity: 'fire', point: 'smoke', value: true, message: 'Smoke alarm active' });
  t.same(h.feedAfter(1000, 'smoke', true), [], 'still active: no duplicate');
  const [restore] = h.feedAfter(1000, 'smoke', false);
  t.match(restore, { kind: 'restore', severity: 'fire', value: false, restores: alarm?.id, message: 'Smoke alarm cleared' });
});

t.test('fault and tamper roles, severity from the profile wins over the default', async (t) => {
  const h = harness([sensorFault, { ...lid, severity: 'minor' }, relay]);
  t.match(h.feed('sensor', true)[0], { kind: 'fault', severity: 'major', message: 'Sensor fault active' });
  t.match(h.feed('lid', true)[0], { kind: 'tamper', severity: 'minor', message: 'Lid tamper active' });
  t.same(h.feed('relay', true), [], 'a plain value point raises nothing');
  t.equal(h.feed('sensor', false)[0]?.kind, 'restore');
  t.equal(h.feed('lid', false)[0]?.kind, 'restore');
  t.same(h.feed('relay', false), []);
});

t.test('activeLow contact: normalize inverts, the rules see active = true', async (t) => {
  const h = harness([{ ...smoke, activeLow: true }]);
  const ctx = { gatewayId: 'gw-1', deviceId: 'rcd-1', clock: new ManualClock(), seq: new CounterSequence() };
  const spec: PointSpec = { ...smoke, activeLow: true };
  const closed = normalize(spec, true, ctx); // normally-closed contact, healthy
  const open = normalize(spec, false, ctx); // contact opened: alarm
  t.same(h.feed('smoke', closed.value), []);
  t.equal(h.feed('smoke', open.value)[0]?.kind, 'alarm');
  t.equal(h.feed('smoke', closed.value)[0]?.kind, 'restore');
});

t.test('bad quality booleans are ignored', async (t) => {
  const h = harness([smoke]);
  t.same(h.feed('smoke', true, 'bad'), []);
  const [alarm] = h.feed('smoke', true);
  t.same(h.feed('smoke', false, 'bad'), [], 'no restore from a bad reading');
  t.equal(h.feed('smoke', false)[0]?.restores, alarm?.id);
});

t.test('a sink that throws still gets every event, and the error reaches the caller', async (t) => {
  const seen: string[] = [];
  const engine = new RulesEngine({
    gatewayId: 'gw-1',
    clock: new ManualClock(),
    seq: new CounterSequence(),
    sink: {
      event: (e) => {
        seen.push(e.kind);
        if (seen.length === 1) throw new Error('disk full');
      },
    },
  });
  engine.addDevice({ id: 'd', location: {}, points: [smoke, sensorFault], offline: { afterPolls: 3, afterMs: 30_000 } });
  const reading = (point: string, value: boolean) => ({ gatewayId: 'gw-1', deviceId: 'd', point, value, quality: 'good' as const, ts: 0, synced: true, mono: 0, seq: 1 });
  t.throws(() => engine.pollSucceeded('d', [reading('smoke', true), reading('sensor', true)]), /disk full/);
  t.same(seen, ['alarm', 'fault'], 'the second event was delivered despite the first failing');
  t.equal(engine.activeEvents('d').length, 2, 'state moved on');
});

t.test('the events of one poll go to a sink that takes them together in one call, in order', async (t) => {
  const calls: string[][] = [];
  const engine = new RulesEngine({
    gatewayId: 'gw-1',
    clock: new ManualClock(),
    seq: new CounterSequence(),
    sink: {
      event: (e) => calls.push([e.kind]),
      eventBatch: (list) => calls.push(list.map((e) => e.kind)),
    },
  });
  engine.addDevice({ id: 'd', location: {}, points: [smoke, sensorFault], offline: { afterPolls: 3, afterMs: 30_000 } });
  const reading = (point: string, value: boolean) => ({ gatewayId: 'gw-1', deviceId: 'd', point, value, quality: 'good' as const, ts: 0, synced: true, mono: 0, seq: 1 });
  engine.pollSucceeded('d', [reading('smoke', true), reading('sensor', true)]);
  t.same(calls, [['alarm', 'fault']], 'one call for the alarm and the fault of one poll');
  engine.pollSucceeded('d', [reading('smoke', false), reading('sensor', true)]);
  t.same(calls[1], ['restore'], 'a lone event goes through event()');
});
