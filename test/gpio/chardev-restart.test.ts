import t from 'tap';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOutputs } from '../../src/outputs/outputs.js';
import { ChardevGpioBackend } from '../../src/bus/gpio/chardev-backend.js';
import { ContactInputs } from '../../src/devices/contact-inputs.js';
import type { LineHealth } from '../../src/bus/gpio/types.js';
import type { GpioInputConfig } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import { recordFaults } from '../helpers/faults.js';
import { FAKE_GPIOD_BIN, alive, fakeGpiod } from '../helpers/fake-gpiod.js';
import { waitFor } from '../helpers/net.js';
import { contactPipeline } from './contact-rig.js';

/**
 * A dead gpiomon or gpioset (killed here with SIGKILL, as the OOM killer would) is a fault of its
 * line, restarted with backoff, and cleared once it runs again; nothing is left running at close.
 */

const FAKE_BIN = FAKE_GPIOD_BIN;
const FAST = { minMs: 100, maxMs: 400, settleMs: 150, stableMs: 10_000 };
const fakeEnv = fakeGpiod;

const INPUT: GpioInputConfig = { id: 'relay-1', pin: 17, contact: 'NO', wiring: 'pull-up', debounceMs: 0, point: 'fire_alarm', role: 'alarm', location: { room: 'boiler' }, enabled: true };

for (const version of ['1.6.3', '2.1.3']) {
  t.test(`gpiomon killed: fault, restart, the level read again, new edges, restore (v${version})`, async (t) => {
    const fake = fakeEnv(t, version);
    const gpio = await ChardevGpioBackend.open({ env: fake.env, restart: FAST });
    t.teardown(() => gpio.close());
    const { clock, seq, events, sink, rules, faults } = contactPipeline();
    const inputs = new ContactInputs({ gatewayId: 'gw', backend: gpio, inputs: [INPUT], clock, seq, rules, sink, faults, logger: silentLogger() });
    await inputs.start();
    await waitFor(() => fake.pid('gpiomon.pid') !== undefined, 10_000);
    const first = fake.pid('gpiomon.pid')!;
    t.equal(events.length, 0, 'contact open (high) at start: nothing to report');

    // The contact closes (active) while nothing watches it; gpioget will read it at the restart.
    writeFileSync(join(fake.dir, 'initial'), '0\n');
    process.kill(first, 'SIGKILL');
    await waitFor(() => events.length >= 3, 10_000);
    t.same(events.map((e) => [e.kind, e.deviceId, e.point]), [['fault', 'relay-1', 'line'], ['restore', 'relay-1', 'line'], ['alarm', 'relay-1', 'fire_alarm']], 'fault, then back, then the level it found');
    t.match(events[0]!.message, /relay-1 \(BCM 17\) not watched: gpiomon for BCM 17 exited \(signal SIGKILL\)/);
    t.same(events[0]!.location, { room: 'boiler' });
    t.equal(events[1]!.restores, events[0]!.id);
    t.not(fake.pid('gpiomon.pid'), first, 'a new gpiomon');
    t.ok(fake.calls().filter((c) => c.startsWith('gpioget')).length >= 2, 'the level was read again before the restart');

    fake.event(`17 1`); // the contact opens again: seen by the new monitor
    await waitFor(() => events.length === 4, 10_000);
    t.match(events[3], { kind: 'restore', deviceId: 'relay-1', restores: events[2]!.id });

    await inputs.stop();
    await gpio.close();
    t.same(fake.pids().filter(alive), [], 'no tool left running');
  });
}

t.test('gpioset killed: the output is a fault, respawned holding its level, then restored', async (t) => {
  const fake = fakeEnv(t, '2.1.3');
  const gpio = await ChardevGpioBackend.open({ env: fake.env, restart: FAST });
  t.teardown(() => gpio.close());
  const { faults, events } = recordFaults();
  const outputs = new LocalOutputs(gpio, [{ name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true, role: 'action' }], silentLogger(), { faults, retry: { minMs: 50, maxMs: 200 } });
  await outputs.start();
  const siren = outputs.get('siren')!;
  siren.run({ mode: 'on', owner: 'fire' });
  await waitFor(() => fake.file('level-22') === '1' && fake.pid('gpioset-22.pid') !== undefined, 10_000);
  const holder = fake.pid('gpioset-22.pid')!;

  process.kill(holder, 'SIGKILL');
  await waitFor(() => events.length === 2, 10_000);
  t.match(events[0], { kind: 'fault', severity: 'critical', deviceId: 'gw', point: 'output:siren' });
  t.match(events[0]!.message, /output siren \(BCM 22\) cannot be driven: gpioset for BCM 22 exited \(signal SIGKILL\)/);
  t.match(events[1], { kind: 'restore', restores: events[0]!.id });
  t.not(fake.pid('gpioset-22.pid'), holder, 'a new gpioset');
  t.equal(fake.file('level-22'), '1', 'holding the demanded level');
  // (The safe-state gpioset may be replaced before it logged anything.)
  t.same(fake.calls().filter((c) => !c.endsWith('22=0')), ['gpioset -c gpiochip0 22=1', 'gpioset -c gpiochip0 22=1'], 'on, then the respawn holding on: no other gpioset');
  t.equal(siren.stats().faulted, false);

  siren.release('fire');
  await waitFor(() => fake.file('level-22') === '0', 10_000);
  await outputs.stop();
  await gpio.close();
  t.same(fake.pids().filter(alive), [], 'no tool left running');
});

t.test('a monitor that keeps failing is retried ever more slowly, reported once, and close() ends the retries', async (t) => {
  const fake = fakeEnv(t, '2.1.3');
  const gpio = await ChardevGpioBackend.open({ env: fake.env, restart: { ...FAST, settleMs: 300 } });
  t.teardown(() => gpio.close());
  const health: LineHealth[] = [];
  await gpio.input({ bcm: 17 }, { bias: 'pull-up', onHealth: (h) => health.push(h) }, () => {});
  await waitFor(() => fake.pid('gpiomon.pid') !== undefined, 10_000);
  writeFileSync(join(fake.dir, 'mon-fail'), '');
  process.kill(fake.pid('gpiomon.pid')!, 'SIGTERM');
  const failing = () => fake.calls().filter((c) => c.includes('(failing)')).length;
  await waitFor(() => failing() >= 3, 10_000);
  const started = Date.now();
  const before = failing();
  await new Promise((r) => setTimeout(r, 1500));
  // Without a backoff this would be hundreds; with it, at most one try per 100 ms (the floor).
  t.ok(failing() - before <= Math.ceil((Date.now() - started) / 100) + 1, `restarts are spaced (${failing() - before} in ${Date.now() - started} ms)`);
  t.equal(health.length, 1, 'one report while it stays down');
  t.match(health[0], { ok: false, code: 'GPIO_TOOL_FAILED', message: /gpiomon for BCM 17 exited \(signal SIGTERM\)/ });

  rmSync(join(fake.dir, 'mon-fail'));
  await waitFor(() => health.length === 2, 10_000);
  t.same(health[1], { ok: true });

  await gpio.close();
  const calls = fake.calls().length;
  await new Promise((r) => setTimeout(r, 600));
  t.equal(fake.calls().length, calls, 'no restart after close');
  t.same(fake.pids().filter(alive), [], 'no tool left running');
});

t.test('a monitor that cannot be started at all (gpiomon missing) is a fault, not a crash', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'hearth-gpiod-bin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  for (const tool of ['gpiodetect', 'gpioget', 'gpioset']) symlinkSync(join(FAKE_BIN, tool), join(bin, tool));
  const fake = fakeEnv(t, '2.1.3', bin);
  const gpio = await ChardevGpioBackend.open({ env: fake.env, restart: FAST });
  t.teardown(() => gpio.close());
  const health: LineHealth[] = [];
  await gpio.input({ bcm: 17 }, { bias: 'pull-up', onHealth: (h) => health.push(h) }, () => {});
  await waitFor(() => health.length === 1, 10_000);
  t.match(health[0], { ok: false, code: 'GPIO_UNAVAILABLE', message: /gpiomon not found \(apt install gpiod\)/ });
  await waitFor(() => fake.calls().filter((c) => c.startsWith('gpioget')).length >= 3, 10_000);
  t.equal(health.length, 1, 'retried without new reports');
  await gpio.close();
});
