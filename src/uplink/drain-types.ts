import type { FaultReporter } from '../faults/gateway-faults.js';
import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Batch, UplinkSource } from '../outbox/types.js';
import type { Codec } from './codec.js';
import type { MessageRate } from './message-rate.js';

/** The drain's settings and figures (./drain.ts). */

export interface DrainLimits {
  /** QoS 1 publishes awaiting PUBACK at once. */
  window: number;
  maxReadings: number;
  maxBytes: number;
  /** Readings per second (token bucket); undefined or 0 = unlimited. Events are never limited. */
  ratePerSec?: number;
  /** Readings the bucket saves up. Default: one second's worth, at least one batch. */
  burst?: number;
  /** The platform's messages-per-second cap over all publishes; events may use its reserve, telemetry not. */
  pace?: MessageRate;
  /**
   * Telemetry bytes awaiting PUBACK at once. An alarm published now reaches the platform only after
   * everything already queued ahead of it on the connection and in the broker, so this bounds the
   * alarm's wait during a backlog drain. Default 256 KiB (at least one batch always goes).
   */
  maxInflightBytes?: number;
}

export interface DrainOptions {
  source: UplinkSource;
  codec: Codec;
  limits: DrainLimits;
  counters: DrainCounters;
  logger: Logger;
  /** Back-off after a transient refusal (fire alarms use their own, capped at a few seconds). */
  refusalBackoff: { minMs: number; maxMs: number; random?: () => number };
  /** Parked records are retried this often on a link that stays up. */
  parkedRetryMs: number;
  /** `uplink:refused` is raised while the broker refuses fire alarms. */
  faults: FaultReporter;
  /** Wall time for the refusal state. Default Date.now. */
  now?: () => number;
  /** The broker took an event (its PUBACK): the receipt where the codec's receipt is 'broker'. */
  eventAccepted?(batch: Extract<Batch, { kind: 'event' }>): void;
}

export interface DrainCounters {
  /** Messages published / confirmed by the broker (PUBACK) / refused by it (negative PUBACK). */
  published: number;
  delivered: number;
  rejected: number;
  /** Outbox records the broker confirmed (deleted from the outbox). */
  deliveredRecords: number;
}

/** The last refusal, for the uplink state an installer reads. */
export interface RefusalState {
  /** MQTT 5 PUBACK reason code; null when there was none (MQTT 3.1.1, an encode failure). */
  code: number | null;
  reason: string;
  permanent: boolean;
  fireAlarm: boolean;
  /** Wall time of the refusal. */
  at: number;
}
