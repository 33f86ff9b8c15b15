import type { Batch, Priority, UplinkSource } from '../outbox/types.js';
import type { Codec, OutboundMessage } from './codec.js';

/**
 * Events that go out in one message (native compact events: one topic, one deflate stream, one
 * PUBACK). Only what is already committed when a publish slot is free goes together: the drain
 * never waits for an event to fill a message, so packing delays nothing. Each event stays its own
 * outbox record: the PUBACK confirms each, a refusal is each one's (a fire alarm among them is
 * held for its own retries, others parked or released as they would be alone).
 */

/** Up to `max` more events waiting in the outbox now, most urgent first (none when max is 0). */
export function waitingEvents(source: UplinkSource, max: number, maxPriority: Priority, maxBytes: number): Batch[] {
  const out: Batch[] = [];
  while (out.length < max) {
    const next = source.nextBatch({ maxReadings: 1, maxBytes, maxPriority });
    if (next === undefined) break;
    if (next.kind !== 'event') {
      // Not leased for an event's priority; give it back untouched.
      source.release(next.ids);
      break;
    }
    out.push(next);
  }
  return out;
}

/** The message for one or more event records. */
export function encodeGroup(codec: Codec, group: readonly Batch[]): OutboundMessage {
  const events = group.map((b) => {
    if (b.kind !== 'event') throw new Error('encodeGroup: telemetry in an event message');
    return b.event;
  });
  if (events.length === 1) return codec.encodeEvent(events[0]!);
  // Never confirm an event by the PUBACK of a message that does not carry it.
  if (codec.encodeEvents === undefined) throw new Error('encodeGroup: this codec sends one event a message');
  return codec.encodeEvents(events);
}
