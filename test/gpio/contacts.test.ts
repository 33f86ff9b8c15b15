import t from 'tap';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { ManualClock } from '../../src/clock/clock.js';
import { ContactInputs } from '../../src/devices/contact-inputs.js';
import { Debouncer } from '../../src/devices/debounce.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import type { GpioInputConfig } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import type { Reading } from '../../src/model/reading.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { FakeTimers } from '../devices/fakes.js';
import { recordFaults } from '../helpers/faults.js';

function input(over: Partial<GpioInputConfig> = {}): GpioInputConfig {
  return { id: 'relay-1', pin: 17, contact: 'NO', wiring: 'pull-up', debounceMs: 50, point: 'fire_alarm', role: 'alarm', location: { room: 'boiler' }, enabled: true, ...over };
}

async function rig(cfg: GpioInputConfig, initialLevel?: 0 | 1) {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const gpio = new SimGpioBackend();
  if (initialLevel !== undefined) gpio.set({ bcm: cfg.pin! }, initialLevel);
  const events: GatewayEvent[] = [];
  const readings: Reading[] = [];
  const seq = new CounterSequence();
  const rules = new RulesEngine({ gatewayId: 'gw', clock, seq, sink: { event: (e) => events.push(e) } });
  const inputs = new ContactInputs({ gatewayId: 'gw', backend: gpio, inputs: [cfg], clock, seq, rules, sink: { reading: (r) => readings.push(r), event: (e) => events.push(e) }, logger: silentLogger(), timers, faults: ignoreFaults });
  await inputs.start();
  return { clock, timers, gpio, events, readings, inputs, line: { bcm: cfg.pin! } };
}

t.test('debouncer: a burst inside the window gives one change', async (t) => {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const out: number[] = [];
  const d = new Debouncer(50, (l) => out.push(l), timers);
  d.initial(1);
  for (let i = 0; i < 9; i++) {
    d.edge(i % 2 === 0 ? 0 : 1);
    await timers.advance(5);
  }
  // Ends on 0 after nine edges 5 ms apart: one change, 50 ms after the last edge.
  t.same(out, []);
  await timers.advance(49);
  t.same(out, [0]);
  // A glitch that returns to the stable level inside the window is no change at all.
  d.edge(1);
  await timers.advance(10);
  d.edge(0);
  await timers.advance(100);
  t.same(out, [0]);
});

t.test('NO contact with pull-up: low is active; bounce gives one alarm and one restore', async (t) => {
  const r = await rig(input());
  t.equal(r.readings.length, 1, 'the level at start is a reading');
  t.equal(r.readings[0]!.value, false);
  t.equal(r.events.length, 0);
  for (const level of [0, 1, 0, 1, 0] as const) {
    r.gpio.set(r.line, level);
    await r.timers.advance(3);
  }
  await r.timers.advance(60);
  t.same(r.events.map((e) => [e.kind, e.severity, e.point, e.deviceId]), [['alarm', 'fire', 'fire_alarm', 'relay-1']]);
  t.equal(r.events[0]!.location.room, 'boiler');
  r.gpio.set(r.line, 1);
  await r.timers.advance(60);
  t.same(r.events.map((e) => e.kind), ['alarm', 'restore']);
  t.equal(r.events[1]!.restores, r.events[0]!.id);
  t.equal(r.inputs.snapshot()[0]!.edges, 6);
  t.equal(r.inputs.snapshot()[0]!.changes, 2);
  await r.inputs.stop();
  t.notOk(r.gpio.isClaimed(r.line), 'line released at stop');
});

t.test('NC contact with pull-up: high is active (a cut wire alarms too)', async (t) => {
  const r = await rig(input({ contact: 'NC' }), 0);
  t.equal(r.readings[0]!.value, false, 'closed NC loop reads low: not active');
  r.gpio.set(r.line, 1);
  await r.timers.advance(60);
  t.same(r.events.map((e) => e.kind), ['alarm']);
});

t.test('NO contact with pull-down: high is active; NC with pull-down: low is active', async (t) => {
  const a = await rig(input({ wiring: 'pull-down' }), 0);
  a.gpio.set(a.line, 1);
  await a.timers.advance(60);
  t.same(a.events.map((e) => e.kind), ['alarm']);
  const b = await rig(input({ wiring: 'pull-down', contact: 'NC', role: 'fault' }), 1);
  b.gpio.set(b.line, 0);
  await b.timers.advance(60);
  t.same(b.events.map((e) => [e.kind, e.severity]), [['fault', 'major']]);
});

t.test('a contact already active at start raises its alarm at start', async (t) => {
  const r = await rig(input(), 0);
  t.same(r.events.map((e) => e.kind), ['alarm']);
});

t.test('a line that goes down: a fault, no readings made up meanwhile, and the level read again when it is back', async (t) => {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const gpio = new SimGpioBackend();
  const events: GatewayEvent[] = [];
  const readings: Reading[] = [];
  const seq = new CounterSequence();
  const sink = { reading: (r: Reading) => readings.push(r), event: (e: GatewayEvent) => events.push(e) };
  const rules = new RulesEngine({ gatewayId: 'gw', clock, seq, sink });
  const { faults } = recordFaults((e) => events.push(e));
  const inputs = new ContactInputs({ gatewayId: 'gw', backend: gpio, inputs: [input()], clock, seq, rules, sink, logger: silentLogger(), timers, faults });
  await inputs.start();
  const line = { bcm: 17 };
  t.equal(readings.length, 1);

  gpio.failLine(line, 'GPIO_TOOL_FAILED', 'gpiomon for BCM 17 exited (signal SIGKILL)');
  t.same(events.map((e) => [e.kind, e.severity, e.deviceId, e.point]), [['fault', 'major', 'relay-1', 'line']]);
  t.same(events[0]!.location, { room: 'boiler' });
  t.equal(inputs.snapshot()[0]!.healthy, false);
  gpio.set(line, 0); // the contact closes while nothing watches
  await timers.advance(200);
  t.equal(readings.length, 1, 'no reading while the line is down');
  t.equal(events.length, 1);

  gpio.recoverLine(line);
  await timers.advance(1);
  t.same(events.map((e) => e.kind), ['fault', 'restore', 'alarm'], 'line back, then the alarm its level means');
  t.equal(readings.length, 2);
  t.equal(readings[1]!.value, true);
  gpio.set(line, 1);
  await timers.advance(60);
  t.same(events.map((e) => e.kind), ['fault', 'restore', 'alarm', 'restore'], 'edges count again');
  await inputs.stop();
});
