import type { GatewayEvent } from './event.js';
import type { Reading } from './reading.js';

/** Where readings go (the pipeline's sink, or a filter in front of it). */
export interface ReadingSink {
  reading(r: Reading): void;
}

/** Where events go: the pipeline's sink, which hands them to the alarm desk first. */
export interface EventSink {
  event(e: GatewayEvent): void;
  /**
   * Optional: several events raised together (one poll's), in order, stored in one durable commit
   * instead of one each; as `event` for each otherwise.
   */
  eventBatch?(list: readonly GatewayEvent[]): void;
}
