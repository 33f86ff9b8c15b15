import { EventBus } from '../events/bus.js';
import type { OutboxClock } from './clock-epochs.js';
import type { Logger } from './logger.js';
import { MemoryQueue } from './memory-queue.js';
import type { Outbox } from './outbox.js';
import { PRIORITIES, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type DestinationStats, type OutboxStats, type Priority, type UplinkSource } from './types.js';

/** What a destination's resilient view needs from the ResilientOutbox around it. */
export interface ResilientLaneHost {
  /** Runs `fn` on the working file; a storage failure enters the fault state and yields undefined. */
  guarded<T>(operation: string, fn: (box: Outbox) => T): T | undefined;
  /** Whether a file handle works now. */
  attached(): boolean;
  /** Moves waiting records from memory into the working file. */
  migrate(): void;
  /** A storage fault is active (the file cannot be written). */
  faultActive(): boolean;
}

const EMPTY: OutboxStats = {
  depth: { fire: 0, events: 0, telemetry: 0 },
  total: 0,
  parked: 0,
  inflight: 0,
  buffered: 0,
  oldestUnsentAgeMs: null,
  bytesOnDisk: 0,
  droppedReadings: 0,
  storageFault: false,
};

/**
 * One destination's part of the ResilientOutbox: its records in the working file (the Outbox's
 * lane) and, during a storage fault, its own memory queue, leased exactly like rows so its
 * connection goes on. Each destination holds its own copy of a record in memory: one that
 * confirmed it is done with it, the other still waits.
 */
export class ResilientLane implements UplinkSource {
  readonly memory: MemoryQueue;
  private readonly committed: EventBus<{ committed: Priority }>;
  /** Outbox row ids leased from the current handle; confirmations for ids of an earlier handle are dropped. */
  private readonly leasedRows = new Set<number>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly id: string,
    maxHeldReadings: number,
    private readonly clock: OutboxClock,
    logger: Logger,
    private readonly host: ResilientLaneHost,
  ) {
    this.memory = new MemoryQueue(maxHeldReadings, clock);
    this.committed = new EventBus(logger);
  }

  /** A new working handle: its commits for this destination wake the connection. */
  attach(box: Outbox): void {
    this.unsubscribe = box.source(this.id)?.onCommitted((p) => this.notify(p));
  }

  /** The handle failed: its leases mean nothing any more (those rows are sent again from the reopened file). */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.leasedRows.clear();
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    const last = limits.maxPriority ?? PRIORITY_TELEMETRY;
    for (const priority of PRIORITIES) {
      if (priority > last) break;
      // Records held in memory are older than what the reopened file took since: they go first.
      const held = this.memory.lease(priority, limits);
      if (held !== undefined) return held;
      const batch = this.host.guarded('nextBatch', (box) => box.source(this.id)?.nextBatch({ ...limits, maxPriority: priority }));
      if (batch !== undefined) {
        for (const id of batch.ids) this.leasedRows.add(id);
        return batch;
      }
    }
    return undefined;
  }

  delivered(ids: readonly number[]): void {
    const { held, rows } = this.split(ids);
    this.memory.delivered(held);
    if (rows.length > 0) this.host.guarded('delivered', (box) => box.source(this.id)?.delivered(rows));
  }

  release(ids: readonly number[]): void {
    const { held, rows } = this.split(ids);
    if (held.length > 0) {
      this.memory.release(held);
      // Back in a working file, released records move there (durable) instead of waiting in memory.
      if (this.host.attached()) this.host.migrate();
    }
    if (rows.length > 0) this.host.guarded('release', (box) => box.source(this.id)?.release(rows));
  }

  park(ids: readonly number[], reason: string): void {
    const { held, rows } = this.split(ids);
    // Memory cannot park (nothing to set aside into): held records are simply released.
    if (held.length > 0) this.memory.release(held);
    if (rows.length > 0) this.host.guarded('park', (box) => box.source(this.id)?.park?.(rows, reason));
  }

  unparkAll(): number {
    return this.host.guarded('unpark', (box) => box.source(this.id)?.unparkAll?.()) ?? 0;
  }

  unparkOne(afterId?: number): number | undefined {
    return this.host.guarded('unpark', (box) => box.source(this.id)?.unparkOne?.(afterId));
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.committed.on('committed', listener);
  }

  notify(priority: Priority): void {
    this.committed.emit('committed', priority);
  }

  /** This destination's view: the file's figures for it plus what it holds in memory. */
  stats(): OutboxStats {
    const m = this.memory;
    const base = this.host.guarded('stats', (box) => box.source(this.id)?.stats()) ?? EMPTY;
    const memOldest = m.oldestTs();
    const memAge = memOldest === undefined ? null : Math.max(0, this.clock.now() - memOldest);
    const [fire, events, telemetry] = PRIORITIES.map((p) => m.depth(p)) as [number, number, number];
    return {
      ...base,
      depth: { fire: base.depth.fire + fire, events: base.depth.events + events, telemetry: base.depth.telemetry + telemetry },
      total: base.total + fire + events + telemetry,
      inflight: base.inflight + m.inflight(),
      oldestUnsentAgeMs: base.oldestUnsentAgeMs === null ? memAge : memAge === null ? base.oldestUnsentAgeMs : Math.max(base.oldestUnsentAgeMs, memAge),
      droppedReadings: base.droppedReadings + m.droppedReadings(),
      storageFault: base.storageFault || this.host.faultActive(),
      heldInMemory: this.held(),
    };
  }

  destinationStats(): DestinationStats {
    const { depth, parked, inflight, oldestUnsentAgeMs } = this.stats();
    return { depth, parked, inflight, oldestUnsentAgeMs };
  }

  /** Records in memory, waiting or leased. */
  held(): number {
    return this.memory.waitingCount() + this.memory.inflight();
  }

  private split(ids: readonly number[]): { held: number[]; rows: number[] } {
    const held: number[] = [];
    const rows: number[] = [];
    for (const id of ids) {
      if (id < 0) held.push(id);
      else if (this.leasedRows.delete(id)) rows.push(id);
      // else: a row of a handle that failed since; it is sent again from the reopened file.
    }
    return { held, rows };
  }
}
