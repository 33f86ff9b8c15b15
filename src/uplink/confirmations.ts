import type { Batch, BatchLimits, OutboxStats, Priority, UplinkSource } from '../outbox/types.js';

/**
 * Tells when the platform confirmed (PUBACK) a given event. Sits between the outbox and the uplink
 * as an UplinkSource that passes everything through and remembers which outbox rows carry events
 * someone waits for (a commissioning test alarm). Only watched events cost anything.
 */
type Parking = { park?(ids: readonly number[], reason: string): void; unparkAll?(): number; unparkOne?(afterId?: number): number | undefined };

export class DeliveryConfirmations implements UplinkSource {
  private readonly watched = new Map<string, (at: number) => void>();
  private readonly rowToEvent = new Map<number, string>();
  /** Passed through only when the source parks refused records (optional in UplinkSource). */
  readonly park?: (ids: readonly number[], reason: string) => void;
  readonly unparkAll?: () => number;
  readonly unparkOne?: (afterId?: number) => number | undefined;

  constructor(
    private readonly source: UplinkSource,
    private readonly now: () => number = Date.now,
  ) {
    const parking = source as UplinkSource & Parking;
    if (parking.park !== undefined) {
      this.park = (ids, reason) => {
        parking.park!(ids, reason);
        for (const id of ids) this.rowToEvent.delete(id);
      };
    }
    if (parking.unparkAll !== undefined) this.unparkAll = () => parking.unparkAll!();
    if (parking.unparkOne !== undefined) this.unparkOne = (afterId) => parking.unparkOne!(afterId);
  }

  /** Calls `onConfirmed` once when the event with this id is acknowledged by the broker. */
  watch(eventId: string, onConfirmed: (at: number) => void): void {
    this.watched.set(eventId, onConfirmed);
  }

  unwatch(eventId: string): void {
    this.watched.delete(eventId);
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    const batch = this.source.nextBatch(limits);
    if (batch?.kind === 'event' && this.watched.has(batch.event.id)) {
      for (const id of batch.ids) this.rowToEvent.set(id, batch.event.id);
    }
    return batch;
  }

  delivered(ids: readonly number[]): void {
    this.source.delivered(ids);
    if (this.rowToEvent.size === 0) return;
    for (const id of ids) {
      const eventId = this.rowToEvent.get(id);
      if (eventId === undefined) continue;
      this.rowToEvent.delete(id);
      const done = this.watched.get(eventId);
      this.watched.delete(eventId);
      done?.(this.now());
    }
  }

  release(ids: readonly number[]): void {
    this.source.release(ids);
    for (const id of ids) this.rowToEvent.delete(id);
  }

  stats(): OutboxStats {
    return this.source.stats();
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.source.onCommitted(listener);
  }
}
