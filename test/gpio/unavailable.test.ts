import t from 'tap';
import { GatewayIo, type PipelineParts } from '../helpers/gateway-io.js';
import { ContactInputs } from '../../src/devices/contact-inputs.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { GpioInputConfig } from '../../src/config/io-types.js';
import type { HearthConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { FakeTimers } from '../devices/fakes.js';
import { recordFaults } from '../helpers/faults.js';

function parts(events: GatewayEvent[]): PipelineParts {
  const clock = new ManualClock();
  const seq = new CounterSequence();
  const sink = { event: (e: GatewayEvent) => events.push(e), reading: () => {} };
  return { gatewayId: 'gw', clock, seq, rules: new RulesEngine({ gatewayId: 'gw', clock, seq, sink }), sink, onError: (e) => { throw e; } };
}

const INPUT: GpioInputConfig = { id: 'relay-1', pin: 17, contact: 'NO', wiring: 'pull-up', debounceMs: 0, point: 'contact', role: 'alarm', location: { room: 'a' }, enabled: true };

t.test('no usable GPIO: a fault event with the fix, and the gateway keeps running', async (t) => {
  const events: GatewayEvent[] = [];
  const config = {
    gateway: { id: 'gw', location: { building: 'B' } },
    gpio: { backend: 'sysfs', inputs: [INPUT], outputs: [{ name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off' }] },
    actions: [],
    devices: [],
  } as unknown as HearthConfig;
  const { faults } = recordFaults((e) => events.push(e));
  const io = new GatewayIo({ config, logger: silentLogger(), faults, backendOptions: { sysfsRoot: '/nonexistent/gpio' } });
  await io.startOutputs();
  await io.startInputs(parts(events));
  t.same(events.map((e) => [e.kind, e.deviceId]), [['fault', 'gw']]);
  t.match(events[0]!.message, /GPIO unavailable.*no sysfs GPIO; use gpio.backend: chardev/);
  await io.stopInputs();
  await io.stopOutputs();
});

t.test('one busy line is a fault event; the other inputs are watched; the line is requested again until it works', async (t) => {
  const events: GatewayEvent[] = [];
  const gpio = new SimGpioBackend();
  const other = await gpio.output({ bcm: 17 }, 0); // something else holds BCM 17
  const p = parts(events);
  const timers = new FakeTimers(p.clock as ManualClock);
  const { faults } = recordFaults((e) => events.push(e));
  const inputs = new ContactInputs({ ...p, backend: gpio, inputs: [INPUT, { ...INPUT, id: 'relay-2', pin: 18 }], faults, timers, retry: { minMs: 100, maxMs: 400 }, logger: silentLogger() });
  await inputs.start();
  t.same(events.map((e) => [e.kind, e.deviceId, e.point]), [['fault', 'relay-1', 'line']]);
  t.match(events[0]!.message, /relay-1 \(BCM 17\) not watched: BCM 17 is already in use/);
  t.same(events[0]!.location, { room: 'a' }, "the input's location, not the gateway's");
  gpio.set({ bcm: 18 }, 0);
  t.same(events.map((e) => [e.kind, e.deviceId]), [['fault', 'relay-1'], ['alarm', 'relay-2']]);
  await timers.advance(2000);
  t.equal(events.length, 2, 'retries while the line stays busy raise nothing new');
  t.equal(inputs.snapshot()[0]!.healthy, false);
  // The other program lets go with the contact active (low): the next retry requests the line,
  // the fault clears and the level read becomes a reading, so the alarm is raised.
  gpio.set({ bcm: 17 }, 0);
  await other.close();
  await timers.advance(1000);
  t.same(events.map((e) => [e.kind, e.deviceId]), [['fault', 'relay-1'], ['alarm', 'relay-2'], ['restore', 'relay-1'], ['alarm', 'relay-1']]);
  t.equal(events[2]!.restores, events[0]!.id);
  t.equal(inputs.snapshot()[0]!.healthy, true);
  await inputs.stop();
  t.equal(timers.pending, 0, 'no retry left after stop');
});
