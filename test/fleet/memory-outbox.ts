import type { GatewayEvent } from '../../src/model/event.js';
import type { Reading } from '../../src/model/reading.js';
import { MemoryQueue } from '../../src/outbox/memory-queue.js';
import { PRIORITIES, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type OutboxStats, type Priority, type UplinkSource } from '../../src/outbox/types.js';

/**
 * A gateway's outbox held in memory, for fleet tests: the outbox's own in-memory queue (what it
 * falls back to during a storage fault, src/outbox/memory-queue.ts) behind the UplinkSource the
 * session drains. A thousand SQLite files would make opening them, not the uplinks, the test.
 */
export class MemoryOutbox implements UplinkSource {
  private readonly queue = new MemoryQueue(100_000, { now: Date.now, mono: () => performance.now(), synced: () => true });
  private readonly listeners = new Set<(priority: Priority) => void>();
  private seq = 0;

  next(): number {
    return ++this.seq;
  }

  appendReading(r: Reading): void {
    this.queue.addReading(r);
    this.emit(PRIORITY_TELEMETRY);
  }

  appendEvent(e: GatewayEvent): void {
    this.emit(this.queue.addEvent(e));
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    for (const p of PRIORITIES) {
      if (p > (limits.maxPriority ?? PRIORITY_TELEMETRY)) break;
      const batch = this.queue.lease(p, limits);
      if (batch !== undefined) return batch;
    }
    return undefined;
  }

  delivered(ids: readonly number[]): void {
    this.queue.delivered(ids);
  }

  release(ids: readonly number[]): void {
    this.queue.release(ids);
  }

  /** Records not yet confirmed (waiting or in flight). */
  total(): number {
    return this.queue.waitingCount() + this.queue.inflight();
  }

  stats(): OutboxStats {
    const [fire, events, telemetry] = PRIORITIES.map((p) => this.queue.depth(p)) as [number, number, number];
    const oldest = this.queue.oldestTs();
    return {
      depth: { fire, events, telemetry },
      total: this.total(),
      parked: 0,
      inflight: this.queue.inflight(),
      buffered: 0,
      oldestUnsentAgeMs: oldest === undefined ? null : Date.now() - oldest,
      bytesOnDisk: 0,
      droppedReadings: this.queue.droppedReadings(),
      storageFault: false,
    };
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(priority: Priority): void {
    for (const l of [...this.listeners]) l(priority);
  }
}
