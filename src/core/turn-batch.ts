import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { EventSink, ReadingSink } from '../model/sinks.js';
import type { PipelineSink } from './pipeline-sink.js';

/** What a turn batch hands its work to: the pipeline's end, split where the desk's part ends. */
export type TurnSink = Pick<PipelineSink, 'act' | 'commit' | 'reading'>;

/**
 * The field's way into the pipeline (rules and sources): what one turn of the event loop raised is
 * stored after the turn, all of it at once, while the alarm desk still acts on each event at once.
 *
 * Why: the answers of devices polled together arrive together, and Node hands them over one I/O
 * callback at a time. Stored one by one, the third alarm of a slot waited for the commit (an fsync)
 * and the publish of the two before it, and for every routine reading in between: the footprint
 * bench measured the slowest alarms at 6–10 ms where one alone takes 2.5. Deferred to the end of
 * the turn (setImmediate runs once every I/O callback that was ready has run), the turn's events
 * go to the outbox in one commit and leave in one message, and its readings are stored only after
 * the events are on their way: an alarm waits for its slot-mates' decoding and rules, a fraction
 * of a millisecond each, not for their storage.
 *
 * What does not wait: the desk's local actions (sirens, relays) and the journal's line run inside
 * `event()`, in the answer's own callback, as before. What the deferral costs: an event not yet
 * committed when the process dies (within the same turn) is lost as it was a moment earlier; the
 * device still shows its state at the next poll. `flush()` finishes a batch at once (shutdown).
 */
export class TurnBatch implements EventSink, ReadingSink {
  private events: GatewayEvent[] = [];
  private readings: Reading[] = [];
  private armed = false;

  constructor(
    private readonly sink: TurnSink,
    private readonly later: (fn: () => void) => void = setImmediate,
  ) {}

  event(e: GatewayEvent): void {
    this.sink.act([e]);
    this.events.push(e);
    this.arm();
  }

  eventBatch(list: readonly GatewayEvent[]): void {
    this.sink.act(list);
    for (const e of list) this.events.push(e);
    this.arm();
  }

  reading(r: Reading): void {
    this.readings.push(r);
    this.arm();
  }

  /** Everything waiting, now: the events (one commit), then the readings. */
  flush(): void {
    this.commitEvents();
    this.storeReadings();
  }

  /** Work waiting for the end of the turn (events, readings). */
  pending(): { events: number; readings: number } {
    return { events: this.events.length, readings: this.readings.length };
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    // Two callbacks, not one: between them Node runs the microtasks, and the drain publishes the
    // committed events there (src/uplink/drain.ts wakes on a microtask for events), before the
    // readings are stored.
    this.later(() => this.commitEvents());
    this.later(() => {
      this.armed = false;
      this.flush();
    });
  }

  private commitEvents(): void {
    if (this.events.length === 0) return;
    const list = this.events;
    this.events = [];
    this.sink.commit(list);
  }

  private storeReadings(): void {
    if (this.readings.length === 0) return;
    const list = this.readings;
    this.readings = [];
    for (const r of list) this.sink.reading(r);
  }
}
