import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayIo, type PipelineParts } from '../helpers/gateway-io.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { HearthConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { recordFaults } from '../helpers/faults.js';
import { FAKE_GPIOD_BIN, alive } from '../helpers/fake-gpiod.js';
import { waitFor } from '../helpers/net.js';

/**
 * A GPIO backend that cannot be opened at start (here: the libgpiod tools are not installed yet)
 * is the `gpio` fault and is opened again on a backoff: once the tools are there, the contact is
 * watched, the output is requested at the level demanded meanwhile, and the fault is restored.
 * The real character-device backend runs, against the fake gpiod tools of the other chardev tests.
 */

const FAKE_BIN = FAKE_GPIOD_BIN;

t.test('no GPIO tools at start: the gpio fault, retried; when they appear, the contact and the output come up', async (t) => {
  // A PATH with what the fake tools' shell needs, but (at first) no gpiod tool at all.
  const bin = mkdtempSync(join(tmpdir(), 'hearth-gpiod-bin-'));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-gpiod-'));
  t.teardown(() => {
    rmSync(bin, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  for (const util of ['cat', 'tail', 'wc', 'touch', 'sleep']) symlinkSync(execFileSync('sh', ['-c', `command -v ${util}`], { encoding: 'utf8' }).trim(), join(bin, util));
  const env = { ...process.env, PATH: bin, FAKE_GPIOD_DIR: dir, FAKE_GPIOD_VERSION: '2.1.3' };
  const file = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : undefined);
  const pids = () => (file('pids') ?? '').split('\n').filter(Boolean).map(Number);

  const events: GatewayEvent[] = [];
  const clock = new ManualClock();
  const seq = new CounterSequence();
  const sink = { event: (e: GatewayEvent) => events.push(e), reading: () => {} };
  const parts: PipelineParts = { gatewayId: 'gw', clock, seq, rules: new RulesEngine({ gatewayId: 'gw', clock, seq, sink }), sink, onError: (e) => { throw e; } };
  const { faults } = recordFaults((e) => events.push(e));
  const config = {
    gateway: { id: 'gw', location: { building: 'B' } },
    gpio: {
      backend: 'chardev',
      inputs: [{ id: 'smoke-relay', pin: 17, contact: 'NO', wiring: 'pull-up', debounceMs: 0, point: 'fire_alarm', role: 'alarm', severity: 'fire', location: { room: 'hall' }, enabled: true }],
      outputs: [{ name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true, role: 'action' }],
    },
    actions: [],
    devices: [],
  } as unknown as HearthConfig;
  const io = new GatewayIo({ config, logger: silentLogger(), faults, backendOptions: { env }, retry: { minMs: 100, maxMs: 400 } });
  await io.startOutputs();
  await io.startInputs(parts);
  t.same(events.map((e) => [e.kind, e.point]), [['fault', 'gpio']]);
  t.match(events[0]!.message, /GPIO unavailable, contacts and outputs are not working: gpioset not found: install the gpiod package/);

  // A fire alarm's demand while GPIO is down is kept on the output (the desk would make it).
  const siren = io.outputRegistry()!.get('siren')!;
  t.equal(siren.pending, true);
  siren.run({ mode: 'on', owner: 'fire' });
  await new Promise((r) => setTimeout(r, 600));
  t.equal(events.length, 1, 'failed retries raise nothing new');

  // The installer installs gpiod: the next retry opens the backend.
  for (const tool of ['gpiodetect', 'gpioget', 'gpiomon', 'gpioset']) symlinkSync(join(FAKE_BIN, tool), join(bin, tool));
  await waitFor(() => file('level-22') === '1' && file('gpiomon.pid') !== undefined, 10_000);
  t.equal(file('level-22'), '1', 'the siren line was requested at the demanded level (on)');
  t.same((file('calls.log') ?? '').split('\n').filter((c) => c.startsWith('gpioset')), ['gpioset -c gpiochip0 22=1'], 'requested at that level directly: no safe-state blip first');
  t.equal(siren.pending, false);
  await waitFor(() => events.length >= 2, 10_000);
  t.match(events[1], { kind: 'restore', restores: events[0]!.id });

  // The contact is watched: an edge from gpiomon (v2: 2 = falling) is an alarm.
  writeFileSync(join(dir, 'events'), '17 2\n', { flag: 'a' });
  await waitFor(() => events.some((e) => e.kind === 'alarm'), 10_000);
  t.match(events.at(-1), { kind: 'alarm', deviceId: 'smoke-relay', point: 'fire_alarm' });

  await io.stopInputs();
  await io.stopOutputs();
  await waitFor(() => pids().filter(alive).length === 0, 10_000);
  t.same(pids().filter(alive), [], 'no tool left running');
});

t.test('stop while the backend is being retried: no timer keeps the process, nothing opened after stop', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'hearth-gpiod-bin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  const events: GatewayEvent[] = [];
  const { faults } = recordFaults((e) => events.push(e));
  const config = {
    gateway: { id: 'gw', location: { building: 'B' } },
    gpio: { backend: 'chardev', inputs: [], outputs: [{ name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true, role: 'action' }] },
    actions: [],
    devices: [],
  } as unknown as HearthConfig;
  const io = new GatewayIo({ config, logger: silentLogger(), faults, backendOptions: { env: { ...process.env, PATH: bin } }, retry: { minMs: 100, maxMs: 400 } });
  await io.startOutputs();
  t.same(events.map((e) => e.point), ['gpio']);
  await io.stopOutputs();
  for (const tool of ['gpiodetect', 'gpioset']) symlinkSync(join(FAKE_BIN, tool), join(bin, tool));
  await new Promise((r) => setTimeout(r, 600));
  t.equal(io.gpio(), undefined, 'no backend opened after stop');
  t.same(events.map((e) => e.kind), ['fault'], 'and no restore either');
});
