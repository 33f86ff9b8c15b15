import type { Clock } from '../clock/clock.js';
import type { HearthConfig } from '../config/types.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { SequenceSource } from '../model/sequence.js';
import type { RulesEngine } from '../rules/engine.js';
import type { EventSink } from '../model/sinks.js';
import type { GpioAccess } from '../bus/gpio/gpio-access.js';
import type { ReadingSink } from '../model/sinks.js';

/**
 * A source of readings and events: one kind of field device (polled Modbus devices, dry contacts,
 * tag readers). Every kind has the same shape: built from the config with one context, then
 * started and stopped by the composition root in the order it lists them. A source feeds the same
 * pipeline as every other (rules, then the sink: alarm desk first, then the outbox), never throws
 * out of start for a field problem (a dead bus, a missing line, an absent reader: faults, retried),
 * and releases everything it holds at stop.
 */
export interface Source {
  /** Name for logs and the start order, e.g. `modbus`, `gpio-contacts`, `tag-readers`. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What every source is given. */
export interface SourceContext {
  config: HearthConfig;
  gatewayId: string;
  clock: Clock;
  /** Gateway-wide sequence numbers (the resilient outbox). */
  seq: SequenceSource;
  rules: RulesEngine;
  /** The end of the pipeline: readings and events (the alarm desk sees events first). */
  sink: ReadingSink & EventSink;
  faults: FaultReporter;
  logger: Logger;
  /** The gateway's GPIO, once a backend is open (shared with the outputs). */
  gpio: GpioAccess;
}

/**
 * A kind of field device, registered from its folder in drivers/ (drivers/<kind>/source.ts) and
 * listed in the composition root. `create` returns undefined when the config has nothing of this kind.
 */
export interface SourceKind<S extends Source = Source> {
  readonly name: string;
  create(ctx: SourceContext): S | undefined;
}
