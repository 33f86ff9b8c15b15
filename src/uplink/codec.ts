import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';

/** One MQTT message, ready for client.publish. */
export interface OutboundMessage {
  topic: string;
  payload: Buffer | string;
  qos: 0 | 1;
  retain: boolean;
}

/** What the gateway says about itself on its status topic. */
export interface GatewayStatus {
  state: 'online' | 'offline';
  /** Wall time of the report. */
  ts: number;
  synced: boolean;
  /** Undefined in the last will (nobody can know the depth when the broker publishes it). */
  outbox?: {
    fire: number;
    events: number;
    telemetry: number;
    oldestUnsentAgeMs: number | null;
  };
}

/**
 * Turns model objects into messages for one platform's format. One codec per platform; the session
 * never looks inside a payload.
 */
export interface Codec {
  encodeStatus(status: GatewayStatus): OutboundMessage;
  encodeTelemetry(readings: readonly Reading[]): OutboundMessage;
  encodeEvent(event: GatewayEvent): OutboundMessage;
  /** Registered at connect; the broker publishes it if the gateway vanishes without DISCONNECT. */
  willMessage(): OutboundMessage;
}
