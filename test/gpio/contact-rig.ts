import { ManualClock } from '../../src/clock/clock.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { recordFaults } from '../helpers/faults.js';

/** What ContactInputs needs from the pipeline, with every event (faults included) collected in order. */
export function contactPipeline() {
  const clock = new ManualClock();
  const seq = new CounterSequence();
  const events: GatewayEvent[] = [];
  const sink = { reading: () => {}, event: (e: GatewayEvent) => events.push(e) };
  const rules = new RulesEngine({ gatewayId: 'gw', clock, seq, sink });
  const { faults } = recordFaults((e) => events.push(e));
  return { clock, seq, events, sink, rules, faults };
}
