import type { DeskChange } from '../alarms/desk.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import { EventBus } from '../events/bus.js';

/** What the gateway's parts tell each other in process (src/events/bus.ts). */
export interface GatewayTopics {
  /** A reading, after the store took it (or held it in memory). */
  reading: Reading;
  /** An event, after the alarm desk acted on it and the store took it. */
  event: GatewayEvent;
  /** A condition on the alarm desk changed (raised, acknowledged, silenced, cleared, over). */
  desk: DeskChange;
  /** The platform's broker confirmed (PUBACK) these events, at this wall time. */
  delivered: { eventIds: readonly string[]; at: number };
}

export type GatewayBus = EventBus<GatewayTopics>;

export function createGatewayBus(logger: ConstructorParameters<typeof EventBus>[0]): GatewayBus {
  return new EventBus<GatewayTopics>(logger);
}
