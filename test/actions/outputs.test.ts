import t from 'tap';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { LocalActions } from '../../src/actions/local-actions.js';
import { LocalOutputs } from '../../src/actions/outputs.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { GpioOutputConfig, LocalActionRule } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { FakeTimers } from '../devices/fakes.js';
import { recordFaults } from '../helpers/faults.js';

const OUTPUTS: GpioOutputConfig[] = [
  { name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true },
  { name: 'elevator-block', pin: 23, activeLevel: 'low', safeState: 'off', sounder: false },
  // A fail-safe door holder: energized (on) in normal operation, released on alarm.
  { name: 'door-holder', pin: 24, activeLevel: 'high', safeState: 'on', sounder: false },
];

async function rig() {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const gpio = new SimGpioBackend();
  const outputs = new LocalOutputs(gpio, OUTPUTS, silentLogger(), { faults: ignoreFaults, timers });
  await outputs.start();
  const level = (pin: number) => gpio.level({ bcm: pin });
  return { clock, timers, gpio, outputs, level };
}

let seq = 0;
function event(kind: GatewayEvent['kind'], over: Partial<GatewayEvent> = {}): GatewayEvent {
  seq += 1;
  return { id: `ev-${seq}`, kind, severity: 'fire', gatewayId: 'gw', deviceId: 'relay-1', message: '', location: {}, ts: 0, synced: true, mono: 0, seq, ...over };
}

t.test('outputs start in their safe state and return to it at stop', async (t) => {
  const r = await rig();
  t.equal(r.level(22), 0, 'siren off (active high)');
  t.equal(r.level(23), 1, 'elevator block off (active low → high)');
  t.equal(r.level(24), 1, 'door holder on');
  r.outputs.get('siren')!.run({ mode: 'pattern', pattern: [100, 100], owner: 'x' });
  r.outputs.get('elevator-block')!.run({ mode: 'on', owner: 'x' });
  r.outputs.get('door-holder')!.run({ mode: 'off', owner: 'x' });
  await r.timers.advance(150);
  t.equal(r.level(23), 0, 'elevator block on');
  await r.outputs.stop();
  t.equal(r.level(22), 0, 'siren off after stop');
  t.equal(r.level(23), 1, 'elevator block off after stop');
  t.equal(r.level(24), 1, 'door holder back on after stop');
  t.equal(r.timers.pending, 0, 'no pattern timer left running');
  t.notOk(r.gpio.isClaimed({ bcm: 22 }), 'lines released');
});

t.test('pulse and pattern timing (fake timers)', async (t) => {
  const r = await rig();
  const siren = r.outputs.get('siren')!;
  siren.run({ mode: 'pulse', forMs: 500, owner: 'a' });
  t.equal(r.level(22), 1);
  await r.timers.advance(499);
  t.equal(r.level(22), 1);
  await r.timers.advance(1);
  t.equal(r.level(22), 0, 'off after the pulse');

  siren.run({ mode: 'pattern', pattern: [200, 200, 200, 1000], forMs: 3200, owner: 'b' });
  const seen: number[] = [];
  for (let ms = 0; ms < 3300; ms += 100) {
    seen.push(r.level(22)!);
    await r.timers.advance(100);
  }
  t.same(seen.slice(0, 16).join(''), '1100110000000000', 'on 200, off 200, on 200, off 1000');
  t.equal(r.level(22), 0, 'pattern ends after forMs, in the safe state');
  t.equal(siren.busyWith, undefined);
});

t.test('local actions: smoke alarm → siren until restored; e-bike → relay for N s and siren pattern', async (t) => {
  const r = await rig();
  const rules: LocalActionRule[] = [
    { name: 'fire-siren', when: { kinds: ['alarm'], severities: ['fire'] }, do: [{ output: 'siren', mode: 'pattern', pattern: [500, 500] }], untilRestore: true },
    {
      name: 'ebike',
      when: { kinds: ['alarm'], devices: ['elevator-reader'] },
      do: [
        { output: 'elevator-block', mode: 'on', forMs: 30_000 },
        { output: 'siren', mode: 'pattern', pattern: [200, 200], forMs: 5000 },
      ],
      untilRestore: false,
    },
  ];
  const actions = new LocalActions(rules, r.outputs, silentLogger());
  const smoke = event('alarm');
  actions.onEvent(smoke);
  t.equal(r.level(22), 1, 'siren sounding');
  actions.onEvent(event('fault', { severity: 'major' }));
  actions.onEvent(event('restore', { restores: 'unrelated' }));
  await r.timers.advance(1200);
  t.equal(r.outputs.get('siren')!.busyWith, `fire-siren:${smoke.id}`, 'unrelated events change nothing');
  actions.onEvent(event('restore', { restores: smoke.id }));
  t.equal(r.level(22), 0, 'silenced by the restore');

  const ebike = event('alarm', { deviceId: 'elevator-reader', severity: 'critical' });
  actions.onEvent(ebike);
  t.equal(r.level(23), 0, 'elevator blocked (active low)');
  actions.onEvent(event('restore', { restores: ebike.id }));
  await r.timers.advance(10_000);
  t.equal(r.level(23), 0, 'still blocked: a timed action outlives the restore');
  t.equal(r.level(22), 0, 'siren pattern over after 5 s');
  await r.timers.advance(20_000);
  t.equal(r.level(23), 1, 'released after 30 s');
  t.same(actions.stats().fired, { 'fire-siren': 1, ebike: 1 });
});

t.test("one alarm's restore does not silence a siren another alarm started", async (t) => {
  const r = await rig();
  const rules: LocalActionRule[] = [{ name: 'siren', when: { kinds: ['alarm'] }, do: [{ output: 'siren', mode: 'on' }], untilRestore: true }];
  const actions = new LocalActions(rules, r.outputs, silentLogger());
  const a = event('alarm');
  const b = event('alarm');
  actions.onEvent(a);
  actions.onEvent(b);
  actions.onEvent(event('restore', { restores: a.id }));
  t.equal(r.level(22), 1, 'still on for the second alarm');
  actions.onEvent(event('restore', { restores: b.id }));
  t.equal(r.level(22), 0);
});

t.test('silencing an alarm stops its sounders, never its relays; another alarm still sounds', async (t) => {
  const r = await rig();
  const rules: LocalActionRule[] = [
    { name: 'fire', when: { kinds: ['alarm'] }, do: [{ output: 'siren', mode: 'on' }, { output: 'elevator-block', mode: 'on' }], untilRestore: true },
  ];
  const actions = new LocalActions(rules, r.outputs, silentLogger());
  const a = event('alarm');
  actions.onEvent(a);
  t.equal(r.level(22), 1, 'siren on');
  t.equal(r.level(23), 0, 'elevator blocked (active low)');
  t.same(actions.silence(a.id), ['siren']);
  t.equal(r.level(22), 0, 'siren silenced');
  t.equal(r.level(23), 0, 'the relay is not silenced');
  const b = event('alarm');
  actions.onEvent(b);
  t.equal(r.level(22), 1, 'a new alarm sounds again');
  t.same(actions.silence('no-such-event'), [], 'unknown events silence nothing');
  actions.onEvent(event('restore', { restores: a.id }));
  t.equal(r.level(22), 1, "the first alarm's restore leaves the second alarm's siren on");
});

t.test('when a timed demand ends, the demand still active underneath takes over again', async (t) => {
  const r = await rig();
  const siren = r.outputs.get('siren')!;
  siren.run({ mode: 'on', owner: 'fire' });
  siren.run({ mode: 'pattern', pattern: [100, 100], forMs: 1000, owner: 'ebike' });
  await r.timers.advance(150);
  t.equal(r.level(22), 0, 'e-bike pattern in its off phase');
  await r.timers.advance(900);
  t.equal(siren.busyWith, 'fire', 'back to the fire alarm demand');
  t.equal(r.level(22), 1, 'steady on again');
  siren.release('fire');
  t.equal(r.level(22), 0, 'safe once nothing wants it');
  t.equal(r.timers.pending, 0);
});

t.test('a failing write is one fault (not one per write); the level is retried and driven when writes work', async (t) => {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const gpio = new SimGpioBackend();
  const { faults, events } = recordFaults();
  const outputs = new LocalOutputs(gpio, OUTPUTS, silentLogger(), { faults, timers, retry: { minMs: 100, maxMs: 400 } });
  await outputs.start();
  const siren = outputs.get('siren')!;
  gpio.failWrites({ bcm: 22 });
  siren.run({ mode: 'pattern', pattern: [100, 100], owner: 'fire' });
  await timers.advance(2000);
  t.ok(siren.stats().failures > 10, `every write failed (${siren.stats().failures})`);
  t.same(events.map((e) => [e.kind, e.severity, e.deviceId, e.point]), [['fault', 'critical', 'gw', 'output:siren']], 'one fault, critical for a sounder');
  t.match(events[0]!.message, /output siren \(BCM 22\) cannot be driven: BCM 22: write failed: EIO/);
  t.equal(gpio.level({ bcm: 22 }), 0, 'the line never moved');
  t.equal(siren.stats().faulted, true);

  // Steady "on" this time: only the retry can drive it once the line works again.
  siren.run({ mode: 'on', owner: 'fire' });
  await timers.advance(1000);
  gpio.recoverWrites({ bcm: 22 });
  await timers.advance(500);
  t.equal(gpio.level({ bcm: 22 }), 1, 'the demanded level is driven again by the retry');
  t.same(events.map((e) => e.kind), ['fault', 'restore']);
  t.equal(events[1]!.restores, events[0]!.id);
  t.equal(siren.stats().faulted, false);
  const writes = siren.stats().writes;
  await timers.advance(10_000);
  t.equal(siren.stats().writes, writes, 'no retries once healthy');

  gpio.failWrites({ bcm: 23 });
  outputs.get('elevator-block')!.run({ mode: 'on', owner: 'ebike' });
  await timers.advance(1);
  t.match(events[2], { kind: 'fault', severity: 'major', point: 'output:elevator-block' }, 'a relay fault is major');
  await outputs.stop();
  t.equal(timers.pending, 0, 'no retry left after stop');
});

t.test('a line that reports itself down is a fault; when it is back the demanded level is driven at once', async (t) => {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const gpio = new SimGpioBackend();
  const { faults, events } = recordFaults();
  const outputs = new LocalOutputs(gpio, OUTPUTS, silentLogger(), { faults, timers, retry: { minMs: 1000, maxMs: 5000 } });
  await outputs.start();
  gpio.failLine({ bcm: 22 }, 'GPIO_TOOL_FAILED', 'gpioset for BCM 22 exited (signal SIGKILL)');
  t.same(events.map((e) => [e.kind, e.point]), [['fault', 'output:siren']]);
  t.match(events[0]!.message, /gpioset for BCM 22 exited/);
  outputs.get('siren')!.run({ mode: 'on', owner: 'fire' });
  await timers.advance(1);
  t.equal(gpio.level({ bcm: 22 }), 0, 'not driven while down');
  t.equal(events.length, 1, 'still one fault');
  gpio.recoverLine({ bcm: 22 });
  await timers.advance(1); // less than any retry delay: the health report itself drives the line
  t.equal(gpio.level({ bcm: 22 }), 1, 'siren on as soon as the line is back');
  t.same(events.map((e) => e.kind), ['fault', 'restore']);
  await outputs.stop();
});
