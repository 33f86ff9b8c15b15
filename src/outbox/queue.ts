import type { Database } from 'better-sqlite3';
import { EventBus } from '../events/bus.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { ClockEpochs } from './clock-epochs.js';
import type { DepthCounts } from './depth.js';
import { consecutiveRuns } from './id-runs.js';
import type { LeaseTracker } from './leases.js';
import type { Logger } from './logger.js';
import type { LeasedRow, PendingRecord, RecordTable } from './records.js';
import { PRIORITIES, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type Priority } from './types.js';

/** Rows read per leasing query. */
const PAGE = 256;

export interface QueueOptions {
  /** Buffered readings are committed at most this long after the first one. */
  flushIntervalMs: number;
  /** ...or as soon as this many are buffered. */
  maxBuffered: number;
}

/** What the queue needs from the outbox around it. */
export interface QueueHost {
  /** Runs a storage operation; a storage failure fails the outbox and is thrown. */
  guard<T>(operation: string, fn: () => T): T;
  /** A commit failed with SQLITE_FULL (rolled back cleanly): make room and commit `events`, or throw. */
  diskFull(events: PendingRecord[], deletes: number[]): void;
  /** After every commit: the quota and the free-space floor are looked at. */
  committed(): void;
  /** The group-commit timer is due: nobody waits on that commit, the host reports its failure. */
  flushDue(): void;
}

/**
 * The durable queue the pipeline appends to and the uplink leases from. Events are committed
 * (fsynced) before the append returns; readings wait in a buffer for the group commit, which also
 * deletes the records the broker confirmed. Leasing reads the most urgent rows not in flight.
 */
export class RecordQueue {
  private buffer: PendingRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly committed: EventBus<{ committed: Priority }>;
  private readonly transaction: (events: PendingRecord[], deletes: number[], withBuffer: boolean) => void;

  constructor(
    db: Database,
    private readonly table: RecordTable,
    private readonly depth: DepthCounts,
    private readonly leases: LeaseTracker,
    private readonly epochs: ClockEpochs,
    logger: Logger,
    private readonly options: QueueOptions,
    private readonly host: QueueHost,
  ) {
    this.committed = new EventBus(logger);
    // Buffered readings, an urgent event and delivered deletions share one transaction: one fsync.
    this.transaction = db.transaction((events: PendingRecord[], deletes: number[], withBuffer: boolean) => {
      if (withBuffer) for (const r of this.buffer) this.table.insert(r);
      for (const r of events) this.table.insert(r);
      this.deleteDelivered(deletes);
    });
  }

  /** Commits `event` (and the buffered readings) with fsync before returning. */
  appendEvent(event: PendingRecord): void {
    // Without the delivered deletions: during a backlog drain they are thousands of rows, and an
    // alarm must not wait for them. They go with the next group commit.
    this.commitNow('appendEvent', [event], false);
  }

  /** Buffers the reading; it is durable after the next group commit. */
  appendReading(reading: PendingRecord): void {
    this.buffer.push(reading);
    if (this.buffer.length >= this.options.maxBuffered) this.flush();
    else this.schedule();
  }

  /** Commits buffered readings and delivered deletions in one transaction. */
  flush(): void {
    if (this.buffer.length === 0 && this.leases.pendingDeletes().length === 0) return;
    this.commitNow('flush', []);
  }

  /**
   * Commits `events` and the deletions without the buffer, SQLITE_FULL thrown as it is: for the
   * full-disk handling, which dropped the buffer and makes room around it.
   */
  commitUnbuffered(events: PendingRecord[], deletes: number[]): void {
    this.transaction(events, deletes, false);
  }

  /** The buffered readings, forgotten here (a full disk drops them, a failed handle hands them on). */
  takeBuffered(): PendingRecord[] {
    const taken = this.buffer;
    this.buffer = [];
    return taken;
  }

  bufferedCount(): number {
    return this.buffer.length;
  }

  /** Append time of the oldest record not yet confirmed, stored or buffered. */
  oldestAt(): number | undefined {
    const buffered = this.buffer[0]?.createdAt;
    const stored = this.host.guard('stats', () => this.table.oldestCreatedAt());
    if (stored === undefined || (buffered !== undefined && buffered <= stored)) return buffered;
    return stored;
  }

  /** Leases the most urgent records not in flight; unsynchronized times are corrected here. */
  nextBatch(limits: BatchLimits): Batch | undefined {
    const last = limits.maxPriority ?? PRIORITY_TELEMETRY;
    for (const priority of PRIORITIES) {
      if (priority > last) break;
      if (this.depth.of(priority) === 0) continue;
      const rows = this.host.guard('nextBatch', () => this.leaseRows(priority, priority === PRIORITY_TELEMETRY ? limits.maxReadings : 1, limits.maxBytes));
      if (rows.length === 0) continue;
      const ids = rows.map((r) => r.id);
      // The stored record keeps its stamp; only what is sent is corrected.
      if (priority === PRIORITY_TELEMETRY) {
        return { kind: 'telemetry', priority, ids, readings: rows.map((r) => this.epochs.correct(JSON.parse(r.payload) as Reading, r.epoch)) };
      }
      const row = rows[0]!;
      return { kind: 'event', priority, ids, event: this.epochs.correct(JSON.parse(row.payload) as GatewayEvent, row.epoch) };
    }
    return undefined;
  }

  /** The broker confirmed these: deleted with the next group commit. */
  delivered(ids: readonly number[]): void {
    if (this.leases.delivered(ids).length > 0) this.schedule();
  }

  /** Not confirmed: leased again later. */
  release(ids: readonly number[]): void {
    this.leases.release(ids);
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.committed.on('committed', listener);
  }

  notify(priority: Priority): void {
    this.committed.emit('committed', priority);
  }

  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private commitNow(operation: string, events: PendingRecord[], withDeletes = true): void {
    this.stopTimer();
    const deletes = withDeletes ? this.leases.pendingDeletes() : [];
    const flushed = this.buffer.length;
    this.host.guard(operation, () => {
      this.epochs.noteSync();
      try {
        this.transaction(events, deletes, true);
      } catch (err) {
        // A full disk is not a failed fsync: SQLite rolled the transaction back cleanly, so it can
        // be retried once the reserved room is released and the oldest telemetry evicted.
        if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
        this.host.diskFull(events, deletes);
        return;
      }
      this.buffer = [];
      if (flushed > 0) this.depth.add(PRIORITY_TELEMETRY, flushed);
    });
    this.leases.forget(deletes);
    if (!withDeletes && this.leases.pendingDeletes().length > 0) this.schedule();
    for (const e of events) this.depth.add(e.priority, 1);
    this.host.committed();
    for (const e of events) this.notify(e.priority as Priority);
    if (flushed > 0) this.notify(PRIORITY_TELEMETRY);
  }

  /** Inside the transaction: delivered telemetry comes back in long runs of consecutive ids. */
  private deleteDelivered(ids: number[]): void {
    // One range delete per run instead of a delete per record (the drain's main cost otherwise).
    for (const run of consecutiveRuns(ids, (id) => this.leases.priorityOf(id))) {
      if (run.priority !== undefined) {
        this.depth.add(run.priority, -this.table.deleteRange(run.from, run.to));
        continue;
      }
      for (let id = run.from; id <= run.to; id++) {
        const priority = this.table.deleteOne(id);
        if (priority !== undefined) this.depth.add(priority, -1);
      }
    }
  }

  private leaseRows(priority: Priority, maxCount: number, maxBytes: number): LeasedRow[] {
    const taken: LeasedRow[] = [];
    let bytes = 0;
    for (;;) {
      const page = this.table.page(priority, this.leases.cursor(priority), PAGE);
      for (const row of page) {
        if (this.leases.isHeld(row.id)) {
          this.leases.skip(priority, row.id);
          continue;
        }
        if (taken.length > 0 && (taken.length >= maxCount || bytes + row.bytes > maxBytes)) return taken;
        this.leases.lease(row.id, priority);
        taken.push(row);
        bytes += row.bytes;
      }
      if (page.length < PAGE || taken.length >= maxCount) return taken;
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.host.flushDue();
    }, this.options.flushIntervalMs);
  }
}
