import t from 'tap';
import type { PointSpec } from '../../src/model/point.js';
import { effectiveThresholds, mergeThresholds, resolveThreshold } from '../../src/rules/thresholds.js';
import { harness } from './harness.js';

const residual: PointSpec = {
  name: 'residual_current',
  type: 'number',
  unit: 'mA',
  thresholds: { high: 300, hysteresis: 20 },
};
const voltage: PointSpec = { name: 'voltage', type: 'number', unit: 'V', thresholds: { low: 190, hysteresis: 5, kind: 'fault', severity: 'major' } };

t.test('high threshold raises an alarm with value, threshold, message, location and stamps', async (t) => {
  const h = harness([residual]);
  t.same(h.feed('residual_current', 120), [], 'normal value: nothing');
  const [alarm, ...rest] = h.feedAfter(1000, 'residual_current', 512);
  t.same(rest, []);
  t.match(alarm, {
    id: 'ev-1',
    kind: 'alarm',
    severity: 'critical',
    gatewayId: 'gw-1',
    deviceId: 'rcd-1',
    point: 'residual_current',
    value: 512,
    threshold: 300,
    unit: 'mA',
    message: 'Residual current 512 mA above alarm threshold 300 mA',
    location: { building: 'B1', floor: '3', room: 'meter room' },
    ts: h.clock.now(),
    synced: true,
    mono: 1000,
  });
  t.type(alarm?.seq, 'number');
  t.same(h.feedAfter(1000, 'residual_current', 600), [], 'still above: no second alarm');
});

t.test('restore carries `restores` and waits for the hysteresis (no chatter)', async (t) => {
  const h = harness([residual]);
  const [alarm] = h.feed('residual_current', 301);
  t.equal(alarm?.kind, 'alarm');
  // Wobbling around the limit, inside the 20 mA dead zone: no restore, no new alarm.
  for (const v of [299, 301, 290, 305, 281, 300]) t.same(h.feedAfter(1000, 'residual_current', v), [], `${v}: no event`);
  const [restore] = h.feedAfter(1000, 'residual_current', 280);
  t.match(restore, { kind: 'restore', severity: 'critical', restores: alarm?.id, value: 280, threshold: 300, point: 'residual_current' });
  t.equal(restore?.message, 'Residual current 280 mA back below 280 mA: alarm ended');
  t.ok((restore?.seq ?? 0) > (alarm?.seq ?? 0), 'sequence increases');
  t.not(restore?.id, alarm?.id);
  t.same(h.feedAfter(1000, 'residual_current', 299), [], 'below the limit after restore: nothing');
  t.equal(h.feedAfter(1000, 'residual_current', 301)[0]?.kind, 'alarm', 'above again: a new alarm');
  t.equal(h.events.length, 3);
});

t.test('low threshold raising a fault, restored above low + hysteresis', async (t) => {
  const h = harness([voltage]);
  t.same(h.feed('voltage', 190), [], 'at the limit is not below it');
  const [fault] = h.feedAfter(1000, 'voltage', 150);
  t.match(fault, { kind: 'fault', severity: 'major', threshold: 190, message: 'Voltage 150 V below fault threshold 190 V' });
  t.same(h.feedAfter(1000, 'voltage', 194), [], 'inside the dead zone');
  const [restore] = h.feedAfter(1000, 'voltage', 195);
  t.match(restore, { kind: 'restore', restores: fault?.id, message: 'Voltage 195 V back above 195 V: fault ended' });
});

t.test('a value jumping from above high to below low restores and raises the other side', async (t) => {
  const h = harness([{ name: 'temp', type: 'number', thresholds: { high: 60, low: 0 } }]);
  const [high] = h.feed('temp', 80);
  const events = h.feedAfter(1000, 'temp', -5);
  t.same(
    events.map((e) => [e.kind, e.threshold]),
    [
      ['restore', 60],
      ['alarm', 0],
    ],
  );
  t.equal(events[0]?.restores, high?.id);
});

t.test('on-delay: a brief spike never alarms; a sustained one alarms exactly after the delay', async (t) => {
  const h = harness([{ ...residual, thresholds: { high: 300, onDelayMs: 3000 } }]);
  t.same(h.feed('residual_current', 400), [], 't=0 pending');
  t.same(h.feedAfter(1000, 'residual_current', 450), [], 't=1s pending');
  t.same(h.feedAfter(1000, 'residual_current', 250), [], 'dip below cancels');
  t.same(h.feedAfter(1000, 'residual_current', 400), [], 't=3s pending again, delay restarts here');
  t.same(h.feedAfter(1000, 'residual_current', 400), [], 't=4s');
  t.same(h.feedAfter(1000, 'residual_current', 400), [], 't=5s');
  t.same(h.feedAfter(999, 'residual_current', 400), [], '1 ms before the delay');
  const [alarm] = h.feedAfter(1, 'residual_current', 400);
  t.match(alarm, { kind: 'alarm', mono: 6000, message: 'Residual current 400 mA above alarm threshold 300 mA for 3 s' });
  t.equal(h.events.length, 1);
});

t.test('bad quality never raises, never restores, does not disturb the state', async (t) => {
  const h = harness([residual]);
  t.same(h.feed('residual_current', 9999, 'bad'), [], 'implausible spike ignored');
  t.same(h.feed('residual_current', 9999, 'stale'), [], 'stale ignored');
  const [alarm] = h.feedAfter(1000, 'residual_current', 400);
  t.equal(alarm?.kind, 'alarm');
  t.same(h.feedAfter(1000, 'residual_current', 0, 'bad'), [], 'bad low value does not restore');
  t.equal(h.engine.activeEvents('rcd-1').length, 1, 'alarm still active');
  t.equal(h.feedAfter(1000, 'residual_current', 100)[0]?.restores, alarm?.id);
  t.same(h.engine.activeEvents(), []);
});

t.test('overrides merge field by field with the profile defaults', async (t) => {
  t.same(mergeThresholds({ high: 300, hysteresis: 20, severity: 'critical' }, { high: 500 }), { high: 500, hysteresis: 20, severity: 'critical' });
  t.same(mergeThresholds(undefined, { low: 1 }), { low: 1 });
  t.same(mergeThresholds({ high: 1 }, undefined), { high: 1 });
  t.equal(mergeThresholds(undefined, undefined), undefined);
  t.same(mergeThresholds({ high: 300 }, { high: null } as never), { high: 300 }, 'null override = not overridden');
  t.same(resolveThreshold({ high: 1 }), { high: 1, hysteresis: 0, onDelayMs: 0, kind: 'alarm', severity: 'critical' }, 'defaults filled');
  t.equal(resolveThreshold({ hysteresis: 5 }), undefined, 'no limit: nothing to watch');

  const points: PointSpec[] = [residual, voltage, { name: 'smoke', type: 'boolean', role: 'alarm' }, { name: 'power', type: 'number' }];
  const eff = effectiveThresholds(points, { residual_current: { high: 500, onDelayMs: 2000 }, power: { high: 3000 }, ghost: { high: 1 } });
  t.same(Object.keys(eff).sort(), ['power', 'residual_current', 'voltage']);
  t.same(eff.residual_current, { high: 500, hysteresis: 20, onDelayMs: 2000, kind: 'alarm', severity: 'critical' });
  t.same(eff.power, { high: 3000, hysteresis: 0, onDelayMs: 0, kind: 'alarm', severity: 'critical' }, 'override alone defines a threshold');

  // The engine applies the same merge.
  const h = harness([residual], { thresholds: { residual_current: { high: 500 } } });
  t.same(h.engine.thresholdsOf('rcd-1').residual_current?.high, 500);
  t.same(h.feed('residual_current', 400), [], '400 is fine with the site override of 500');
  t.match(h.feedAfter(1000, 'residual_current', 501)[0], { kind: 'alarm', threshold: 500 });
  t.same(h.feedAfter(1000, 'residual_current', 485), [], 'profile hysteresis (20) still applies');
  t.equal(h.feedAfter(1000, 'residual_current', 480)[0]?.kind, 'restore');
});
