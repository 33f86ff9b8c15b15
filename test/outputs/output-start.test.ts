import t from 'tap';
import { GatewayIo, type PipelineParts } from '../helpers/gateway-io.js';
import { LocalOutputs } from '../../src/outputs/outputs.js';
import { AlarmDesk } from '../../src/alarms/desk.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import type { GpioBackend } from '../../src/bus/gpio/types.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { GpioInputConfig, GpioOutputConfig, LocalActionRule } from '../../src/config/io-types.js';
import type { HearthConfig } from '../../src/config/types.js';
import { GatewayFaults, ignoreFaults } from '../../src/faults/gateway-faults.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { FakeTimers } from '../devices/fakes.js';

/**
 * An output line that cannot be requested at start (here: another program holds it) is a fault of
 * that output only; the alarm desk's demands on it are kept and driven once the line is free.
 * The whole path is real: contact → rules → alarm desk → local action → output, on the simulator.
 */

const SMOKE_RELAY: GpioInputConfig = { id: 'smoke-relay', pin: 17, contact: 'NO', wiring: 'pull-up', debounceMs: 0, point: 'fire_alarm', role: 'alarm', severity: 'fire', location: { room: 'hall' }, enabled: true };
const OUTPUTS: GpioOutputConfig[] = [
  { name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true, role: 'action' },
  { name: 'elevator-block', pin: 23, activeLevel: 'low', safeState: 'off', sounder: false, role: 'action' },
];
const RULES: LocalActionRule[] = [
  { name: 'fire', when: { kinds: ['alarm'], severities: ['fire'] }, do: [{ output: 'siren', mode: 'pattern', pattern: [500, 500] }, { output: 'elevator-block', mode: 'on' }], untilRestore: true, commands: [] },
];
const SIREN = { bcm: 22 };
const ELEVATOR = { bcm: 23 };
const CONTACT = { bcm: 17 };

function rig(gpio: SimGpioBackend) {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const seq = new CounterSequence();
  const events: GatewayEvent[] = [];
  let desk: AlarmDesk | undefined;
  // Every event goes where the daemon sends it: the alarm desk first (local actions), then "upstream".
  const sink = {
    event: (e: GatewayEvent) => {
      desk?.onEvent(e);
      events.push(e);
    },
    reading: () => {},
  };
  const faults = new GatewayFaults({ gatewayId: 'gw', clock, seq, location: { building: 'B' }, sink });
  const config = {
    gateway: { id: 'gw', location: { building: 'B' } },
    gpio: { backend: 'sim', inputs: [SMOKE_RELAY], outputs: OUTPUTS },
    actions: RULES,
    devices: [],
  } as unknown as HearthConfig;
  const io = new GatewayIo({ config, logger: silentLogger(), faults, gpioBackend: gpio, timers, retry: { minMs: 100, maxMs: 400 } });
  desk = new AlarmDesk({ actions: RULES, outputs: () => io.outputRegistry(), now: () => clock.now(), mono: () => clock.mono(), faults, logger: silentLogger(), timers });
  const parts: PipelineParts = { gatewayId: 'gw', clock, seq, rules: new RulesEngine({ gatewayId: 'gw', clock, seq, sink }), sink, onError: (e) => { throw e; } };
  const start = async () => {
    await io.startOutputs();
    desk!.outputsReady();
    await io.startInputs(parts);
  };
  const stop = async () => {
    await io.stopInputs();
    desk!.stop();
    await io.stopOutputs();
  };
  const kinds = () => events.map((e) => [e.kind, e.point ?? e.deviceId]);
  return { clock, timers, io, desk, events, kinds, start, stop };
}

t.test('a busy siren line: its fault; the relay and the contact work; the fire alarm held meanwhile sounds once the line is free', async (t) => {
  const gpio = new SimGpioBackend();
  const other = await gpio.output(SIREN, 0); // another program holds BCM 22
  const r = rig(gpio);
  await r.start();

  t.same(r.kinds(), [['fault', 'output:siren']], 'one fault, of the siren only');
  t.match(r.events[0], { severity: 'critical', deviceId: 'gw' }, 'critical: it is a sounder');
  t.match(r.events[0]!.message, /output siren \(BCM 22\) cannot be driven: line not requested: BCM 22 is already in use; another program or driver holds it \(gpioinfo shows which\).*gpio\.outputs; requested again until it works/);
  t.equal(gpio.level(ELEVATOR), 1, 'the elevator relay was requested in its safe state (off, active low)');
  t.ok(gpio.isClaimed(CONTACT), 'the contact is watched');
  const siren = r.io.outputRegistry()!.get('siren')!;
  t.equal(siren.pending, true);
  t.same((await r.io.outputsPort().test('siren', 500)).ok, false, 'a console test cannot show a pending output');

  // Smoke: the detector's relay closes. The alarm drives the relay at once and is held on the siren.
  gpio.set(CONTACT, 0);
  t.same(r.kinds(), [['fault', 'output:siren'], ['alarm', 'fire_alarm']]);
  t.equal(gpio.level(ELEVATOR), 0, 'elevator blocked in the same turn');
  t.equal(siren.busyWith?.startsWith('fire:'), true, 'the fire alarm demand is recorded on the pending siren');
  t.match(r.desk.list(), [{ event: { kind: 'fault' } }, { event: { kind: 'alarm' }, sounding: true }]);

  await r.timers.advance(3000);
  t.equal(r.events.length, 2, 'retries while the line stays busy raise nothing new');
  t.same(gpio.history(SIREN).map((h) => h.level), [0], "only the other program's level on the line");

  // The other program lets go: the next retry requests the line and the siren sounds its pattern.
  await other.close();
  await r.timers.advance(1000);
  t.equal(siren.pending, false);
  t.ok(gpio.isClaimed(SIREN));
  const levels = gpio.history(SIREN).map((h) => h.level).slice(1);
  t.ok(levels.includes(1), `the siren sounds (levels since the line was freed: ${levels.join('')})`);
  t.equal(gpio.level(SIREN), siren.current === 'on' ? 1 : 0, 'the line follows the pattern');
  t.same(r.kinds(), [['fault', 'output:siren'], ['alarm', 'fire_alarm'], ['restore', 'output:siren']]);
  t.equal(r.events[2]!.restores, r.events[0]!.id, 'the fault is cleared');
  t.same((await r.io.outputsPort().test('elevator-block', 1)).ok, true);

  // The detector restores: the siren goes back to its safe state.
  gpio.set(CONTACT, 1);
  t.equal(gpio.level(SIREN), 0);
  await r.stop();
  t.equal(r.timers.pending, 0, 'no timer left after stop');
  t.notOk(gpio.isClaimed(SIREN), 'lines released');
});

t.test('no demand while the line was busy: it is requested in its safe state', async (t) => {
  const gpio = new SimGpioBackend();
  const other = await gpio.output(SIREN, 1); // left high by the other program
  const r = rig(gpio);
  await r.start();
  await other.close();
  await r.timers.advance(1000);
  t.same(gpio.history(SIREN).map((h) => h.level), [1, 0], 'driven to its safe state (off) when requested');
  t.same(r.kinds(), [['fault', 'output:siren'], ['restore', 'output:siren']]);
  await r.stop();
});

t.test('stop while a retry is pending: no timer left, and the line is never requested after stop', async (t) => {
  const gpio = new SimGpioBackend();
  const other = await gpio.output(SIREN, 0);
  const r = rig(gpio);
  await r.start();
  await r.timers.advance(500);
  t.ok(r.timers.pending > 0, 'a retry is pending');
  await r.stop();
  t.equal(r.timers.pending, 0, 'no timer left after stop');
  await other.close();
  await r.timers.advance(60_000);
  t.notOk(gpio.isClaimed(SIREN), 'the freed line was not requested after stop');
  t.notOk(gpio.isClaimed(CONTACT));
  t.notOk(gpio.isClaimed(ELEVATOR));
});

t.test('stop while a request is under way: stop waits for it and the line it got is released at once', async (t) => {
  const gpio = new SimGpioBackend();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // The simulator, with the siren's request held until the test lets it through.
  const slow: GpioBackend = {
    kind: 'slow-sim',
    input: (line, opts, onEdge) => gpio.input(line, opts, onEdge),
    output: async (line, initial, opts) => {
      if ('bcm' in line && line.bcm === 22) await gate;
      return gpio.output(line, initial, opts);
    },
    close: () => gpio.close(),
  };
  const timers = new FakeTimers(new ManualClock());
  const outputs = new LocalOutputs(undefined, OUTPUTS, silentLogger(), { faults: ignoreFaults, timers });
  outputs.get('siren')!.run({ mode: 'on', owner: 'fire' });
  const starting = outputs.start(slow);
  await new Promise((r) => setImmediate(r));
  let stopped = false;
  const stopping = outputs.stop().then(() => (stopped = true));
  await new Promise((r) => setImmediate(r));
  t.equal(stopped, false, 'stop waits for the request under way');
  release();
  await Promise.all([starting, stopping]);
  t.notOk(gpio.isClaimed(SIREN), 'the line the late request got is released');
  t.notOk(gpio.isClaimed(ELEVATOR), 'never requested: start stopped before it');
  t.same(gpio.history(SIREN).map((h) => h.level), [1], 'requested at the demanded level, released without a further write');
  t.equal(timers.pending, 0);
});
