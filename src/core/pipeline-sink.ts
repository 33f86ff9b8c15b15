import type { GatewayBus } from './gateway-bus.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { Logger } from '../log/logger.js';
import type { DurableStore } from '../outbox/types.js';


/** What acts on an event locally before it is stored: the alarm desk (src/alarms/desk.ts). */
export interface LocalDesk {
  onEvent(e: GatewayEvent): void;
}

export interface PipelineSinkOptions {
  desk: LocalDesk;
  /** The resilient outbox: holds records in memory when the file fails, never throws for storage. */
  store: DurableStore;
  bus: GatewayBus;
  logger: Logger;
}

/**
 * The end of the local pipeline, in the order that keeps people safe:
 *  1. the alarm desk: local actions (sirens, relays) in this same turn of the event loop;
 *  2. the log line (alarms loudly), so the journal shows them whatever happens next;
 *  3. the store (outbox), from which the uplink sends;
 *  4. observers on the bus (console live feed, metrics, recent events).
 * A failure at one step is logged and counted and never skips a later step. `event` runs all four
 * at once; the field's events come through the turn batch (turn-batch.ts), which runs 1 and 2
 * (`act`) at once and 3 and 4 (`commit`) for the whole turn after it.
 */
export class PipelineSink {
  private failures = 0;

  constructor(private readonly o: PipelineSinkOptions) {}

  reading(r: Reading): void {
    this.step('store reading', () => this.o.store.appendReading(r));
    this.o.bus.emit('reading', r);
  }

  event(e: GatewayEvent): void {
    this.act([e]);
    this.commit([e]);
  }

  /**
   * Events raised together (one poll's): the desk acts on each, in order, before any is stored;
   * then all are stored in one commit (one fsync instead of one each: on flash, the fsync is what
   * an event costs), then the observers.
   */
  eventBatch(list: readonly GatewayEvent[]): void {
    this.act(list);
    this.commit(list);
  }

  /** Steps 1 and 2, at once: the desk acts on each event, in order, then each is logged. */
  act(list: readonly GatewayEvent[]): void {
    for (const e of list) this.step('alarm desk', () => this.o.desk.onEvent(e));
    for (const e of list) this.step('log', () => this.log(e));
  }

  /** Steps 3 and 4 for events the desk has acted on: one durable commit for all, then the observers. */
  commit(list: readonly GatewayEvent[]): void {
    if (list.length === 0) return;
    this.step('store event', () => this.o.store.appendEvents(list));
    for (const e of list) this.o.bus.emit('event', e);
  }

  /** An event the store already holds (the outbox's own notices): desk, log and observers only. */
  observe(e: GatewayEvent): void {
    this.step('alarm desk', () => this.o.desk.onEvent(e));
    this.step('log', () => this.log(e));
    this.o.bus.emit('event', e);
  }

  /** Steps that failed (each is also logged). */
  failureCount(): number {
    return this.failures;
  }

  private step(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failures++;
      try {
        this.o.logger.error({ err, step: what }, 'pipeline step failed');
      } catch {
        // the counter records it
      }
    }
  }

  private log(e: GatewayEvent): void {
    const where = [e.location.building, e.location.floor && `floor ${e.location.floor}`, e.location.room].filter(Boolean).join(' / ');
    const fields = { event: e.kind, severity: e.severity, device: e.deviceId, point: e.point, where, id: e.id };
    const logger = this.o.logger;
    if (e.kind === 'alarm') logger.warn(fields, `ALARM ${e.message}`);
    else if (e.kind === 'restore' || e.kind === 'online') logger.info(fields, `restored: ${e.message}`);
    else if (e.severity === 'info') logger.info(fields, e.message); // e.g. a registered tag passing a reader
    else logger.warn(fields, e.message);
  }
}
