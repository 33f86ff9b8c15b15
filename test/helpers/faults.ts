import { ManualClock } from '../../src/clock/clock.js';
import { GatewayFaults } from '../../src/faults/gateway-faults.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';

/** The real fault reporter, its events collected (or handed to `sink`, e.g. a pipeline's). */
export function recordFaults(sink?: (e: GatewayEvent) => void): { faults: GatewayFaults; events: GatewayEvent[] } {
  const events: GatewayEvent[] = [];
  const faults = new GatewayFaults({
    gatewayId: 'gw',
    clock: new ManualClock(),
    seq: new CounterSequence(),
    location: { building: 'B' },
    sink: { event: (e) => (sink ? sink(e) : events.push(e)) },
  });
  return { faults, events };
}
