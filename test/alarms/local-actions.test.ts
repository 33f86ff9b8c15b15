import t from 'tap';
import { LocalActions } from '../../src/alarms/local-actions.js';
import type { LocalActionRule } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import { event, outputsRig } from './rig.js';

t.test('smoke alarm → siren until restored; e-bike → relay for N s and siren pattern', async (t) => {
  const r = await outputsRig();
  const rules: LocalActionRule[] = [
    { name: 'fire-siren', when: { kinds: ['alarm'], severities: ['fire'] }, do: [{ output: 'siren', mode: 'pattern', pattern: [500, 500] }], untilRestore: true, commands: [] },
    {
      name: 'ebike',
      when: { kinds: ['alarm'], devices: ['elevator-reader'] },
      do: [
        { output: 'elevator-block', mode: 'on', forMs: 30_000 },
        { output: 'siren', mode: 'pattern', pattern: [200, 200], forMs: 5000 },
      ],
      untilRestore: false,
      commands: [],
    },
  ];
  const actions = new LocalActions(rules, () => r.outputs, silentLogger(), () => r.clock.mono());
  const smoke = event('alarm');
  actions.onEvent(smoke);
  t.equal(r.siren(), 1, 'siren sounding in the same turn');
  actions.onEvent(event('fault', { severity: 'major' }));
  actions.onEvent(event('restore', { restores: 'unrelated' }));
  await r.timers.advance(1200);
  t.equal(r.outputs.get('siren')!.busyWith, `fire-siren:${smoke.id}`, 'unrelated events change nothing');
  actions.onEvent(event('restore', { restores: smoke.id }));
  t.equal(r.siren(), 0, 'off with the restore');

  const ebike = event('alarm', { deviceId: 'elevator-reader', severity: 'critical' });
  actions.onEvent(ebike);
  t.ok(r.elevatorBlocked());
  actions.onEvent(event('restore', { restores: ebike.id }));
  await r.timers.advance(10_000);
  t.ok(r.elevatorBlocked(), 'still blocked: a timed action outlives the restore');
  t.equal(r.siren(), 0, 'siren pattern over after 5 s');
  await r.timers.advance(20_000);
  t.notOk(r.elevatorBlocked(), 'released after 30 s');
  t.same(actions.stats().fired, { 'fire-siren': 1, ebike: 1 });
});

t.test("one alarm's restore does not silence a siren another alarm started", async (t) => {
  const r = await outputsRig();
  const rules: LocalActionRule[] = [{ name: 'siren', when: { kinds: ['alarm'] }, do: [{ output: 'siren', mode: 'on' }], untilRestore: true, commands: [] }];
  const actions = new LocalActions(rules, () => r.outputs, silentLogger());
  const a = event('alarm');
  const b = event('alarm');
  actions.onEvent(a);
  actions.onEvent(b);
  actions.onEvent(event('restore', { restores: a.id }));
  t.equal(r.siren(), 1, 'still on for the second alarm');
  actions.onEvent(event('restore', { restores: b.id }));
  t.equal(r.siren(), 0);
});

t.test('silence stops only the sounders of that alarm; relays stay; another alarm keeps the siren; re-sound gives the demand back', async (t) => {
  const r = await outputsRig();
  const rules: LocalActionRule[] = [
    { name: 'fire', when: { kinds: ['alarm'] }, do: [{ output: 'siren', mode: 'on' }, { output: 'elevator-block', mode: 'on' }], untilRestore: true, commands: [] },
  ];
  const actions = new LocalActions(rules, () => r.outputs, silentLogger(), () => r.clock.mono());
  const a = event('alarm');
  const b = event('alarm');
  actions.onEvent(a);
  actions.onEvent(b);
  // Silencing the alarm that does NOT drive the siren right now, and then the one that does.
  t.same(actions.silence(a.id), ['siren']);
  t.equal(r.siren(), 1, 'b still demands the siren');
  t.same(actions.silence(b.id), ['siren']);
  t.equal(r.siren(), 0, 'both silenced: quiet');
  t.ok(r.elevatorBlocked(), 'the relay is never silenced');
  t.notOk(actions.sounding(a.id));
  t.same(actions.resound(a.id), ['siren']);
  t.equal(r.siren(), 1, 'a sounds again');
  t.ok(actions.sounding(a.id));
  actions.onEvent(event('restore', { restores: a.id }));
  t.equal(r.siren(), 0, 'a restored, b still silenced');
  t.same(actions.resound(a.id), [], 'a restored alarm does not re-sound');
  t.same(actions.silence('no-such-event'), [], 'unknown events silence nothing');
});

t.test('a timed demand re-sounds only for the time it has left', async (t) => {
  const r = await outputsRig();
  const rules: LocalActionRule[] = [{ name: 'beep', when: { kinds: ['alarm'] }, do: [{ output: 'siren', mode: 'on', forMs: 10_000 }], untilRestore: false, commands: [] }];
  const actions = new LocalActions(rules, () => r.outputs, silentLogger(), () => r.clock.mono());
  const a = event('alarm');
  actions.onEvent(a);
  await r.timers.advance(2000);
  actions.silence(a.id);
  t.equal(r.siren(), 0);
  await r.timers.advance(3000);
  t.same(actions.resound(a.id), ['siren']);
  t.equal(r.siren(), 1);
  await r.timers.advance(4999);
  t.equal(r.siren(), 1, 'sounding for the 5 s it had left');
  await r.timers.advance(2);
  t.equal(r.siren(), 0, 'over at the original end');
  actions.silence(a.id);
  t.same(actions.resound(a.id), [], 'an expired demand does not come back');
});

t.test('no outputs (GPIO unavailable): events are handled, nothing throws', async (t) => {
  const actions = new LocalActions([{ name: 'fire', when: { kinds: ['alarm'] }, do: [{ output: 'siren', mode: 'on' }], untilRestore: true, commands: [] }], () => undefined, silentLogger());
  t.doesNotThrow(() => actions.onEvent(event('alarm')));
  t.equal(actions.stats().unknownOutputs, 1);
});
