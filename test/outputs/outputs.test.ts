import t from 'tap';
import { FakeTimers } from '../devices/fakes.js';
import { LocalOutputs } from '../../src/outputs/outputs.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { GpioOutputConfig } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import { outputsRig } from '../alarms/rig.js';
import { recordFaults } from '../helpers/faults.js';

const OUTPUTS: GpioOutputConfig[] = [
  { name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true, role: 'action' },
  { name: 'elevator-block', pin: 23, activeLevel: 'low', safeState: 'off', sounder: false, role: 'action' },
  // A fail-safe door holder: energized (on) in normal operation, released on alarm.
  { name: 'door-holder', pin: 24, activeLevel: 'high', safeState: 'on', sounder: false, role: 'action' },
];

const rig = () => outputsRig(OUTPUTS);

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
