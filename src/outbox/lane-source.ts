import type { Lane } from './lane.js';
import type { Batch, BatchLimits, OutboxStats, Priority, UplinkSource } from './types.js';

/** What a destination's view needs from the Outbox handle it belongs to. */
export interface LaneSourceHost {
  /** Neither closed nor failed. */
  usable(): boolean;
  /** Throws the storage failure, or that the outbox is closed. */
  assertUsable(): void;
  /** The destination's figures with the file's. */
  stats(lane: Lane): OutboxStats;
}

/**
 * One destination's part of an Outbox, as its connection uses it. Calls that come from network
 * callbacks (confirmations, parking) never throw: after close or a storage failure they are
 * dropped, and those records are sent again from the reopened file (a duplicate, not a loss).
 */
export class LaneSource implements UplinkSource {
  constructor(
    private readonly lane: Lane,
    private readonly host: LaneSourceHost,
  ) {}

  get destination(): string {
    return this.lane.id;
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    this.host.assertUsable();
    return this.lane.nextBatch(limits);
  }

  /** Confirmed by the destination: its part is cleared with the next group commit (≤ flushIntervalMs). */
  delivered(ids: readonly number[]): void {
    if (this.host.usable()) this.lane.delivered(ids);
  }

  /** Not confirmed (disconnect, rejected publish): they will be leased again. */
  release(ids: readonly number[]): void {
    this.lane.release(ids);
  }

  /** The destination refuses these for good: set aside for it, kept, a fault raised (parking.ts). */
  park(ids: readonly number[], reason: string): void {
    if (this.host.usable() && ids.length > 0) this.lane.park(ids, reason);
  }

  /** Returns this destination's parked records to its queue. Returns how many. */
  unparkAll(): number {
    return this.host.usable() ? this.lane.parking.unparkAll() : 0;
  }

  /** Returns one parked record (the first after `afterId`, wrapping) as a probe; its id. */
  unparkOne(afterId = 0): number | undefined {
    return this.host.usable() ? this.lane.parking.unparkOne(afterId) : undefined;
  }

  stats(): OutboxStats {
    this.host.assertUsable();
    return this.host.stats(this.lane);
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.lane.onCommitted(listener);
  }
}
