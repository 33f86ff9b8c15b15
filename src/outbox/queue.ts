import type { Database } from 'better-sqlite3';
import type { ClockEpochs } from './clock-epochs.js';
import type { Confirmations, Lanes } from './lanes.js';
import type { PendingRecord, RecordTable } from './records.js';
import { PRIORITY_TELEMETRY } from './types.js';

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
  diskFull(events: PendingRecord[], confirmed: Confirmations): void;
  /** After every commit: the quota and the free-space floor are looked at. */
  committed(): void;
  /** The group-commit timer is due: nobody waits on that commit, the host reports its failure. */
  flushDue(): void;
}

/**
 * The durable queue the pipeline appends to and the destinations lease from (lane.ts). Events
 * are committed (fsynced) before the append returns; readings wait in a buffer for the group
 * commit, which also applies what the destinations confirmed.
 */
export class RecordQueue {
  private buffer: PendingRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Returns what updates the counts, to call once it committed. */
  private readonly transaction: (events: PendingRecord[], confirmed: Confirmations, withBuffer: boolean) => () => void;

  constructor(
    db: Database,
    private readonly table: RecordTable,
    private readonly lanes: Lanes,
    private readonly epochs: ClockEpochs,
    private readonly options: QueueOptions,
    private readonly host: QueueHost,
  ) {
    // Buffered readings, an urgent event and confirmations share one transaction: one fsync.
    this.transaction = db.transaction((events: PendingRecord[], confirmed: Confirmations, withBuffer: boolean) => {
      if (withBuffer) for (const r of this.buffer) this.table.insert(r);
      for (const r of events) this.table.insert(r);
      return this.lanes.applyConfirmed(confirmed);
    });
  }

  /** Commits `event` (and the buffered readings) with fsync before returning. */
  appendEvent(event: PendingRecord): void {
    // Without the confirmations: during a backlog drain they are thousands of rows, and an alarm
    // must not wait for them. They go with the next group commit.
    this.commitNow('appendEvent', [event], false);
  }

  /** Buffers the reading; it is durable after the next group commit. */
  appendReading(reading: PendingRecord): void {
    this.buffer.push(reading);
    if (this.buffer.length >= this.options.maxBuffered) this.flush();
    else this.schedule();
  }

  /** Commits buffered readings and confirmations in one transaction. */
  flush(): void {
    if (this.buffer.length === 0 && !this.lanes.anyConfirmed()) return;
    this.commitNow('flush', []);
  }

  /**
   * Commits `events` and the confirmations without the buffer, SQLITE_FULL thrown as it is: for
   * the full-disk handling, which dropped the buffer and makes room around it.
   */
  commitUnbuffered(events: PendingRecord[], confirmed: Confirmations): void {
    this.transaction(events, confirmed, false)();
  }

  /** The buffered readings, forgotten here (a full disk drops them, a failed handle hands them on). */
  takeBuffered(): PendingRecord[] {
    const taken = this.buffer;
    this.buffer = [];
    return taken;
  }

  /** Readings buffered, or those of them for the destinations in `mask`. */
  bufferedCount(mask?: number): number {
    if (mask === undefined) return this.buffer.length;
    let n = 0;
    for (const r of this.buffer) if ((r.pending & mask) !== 0) n++;
    return n;
  }

  /** Append time of the oldest buffered reading for the destinations in `mask`. */
  oldestBufferedAt(mask: number): number | undefined {
    for (const r of this.buffer) if ((r.pending & mask) !== 0) return r.createdAt;
    return undefined;
  }

  /** A destination confirmed records: they are applied with the next group commit. */
  confirmed(): void {
    this.schedule();
  }

  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private commitNow(operation: string, events: PendingRecord[], withConfirmations = true): void {
    this.stopTimer();
    const confirmed = withConfirmations ? this.lanes.confirmations() : [];
    let flushed: PendingRecord[] = [];
    this.host.guard(operation, () => {
      this.epochs.noteSync();
      try {
        this.transaction(events, confirmed, true)();
      } catch (err) {
        // A full disk is not a failed fsync: SQLite rolled the transaction back cleanly, so it can
        // be retried once the reserved room is released and the oldest telemetry evicted.
        if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
        this.host.diskFull(events, confirmed);
        return;
      }
      flushed = this.buffer;
      this.buffer = [];
      this.lanes.inserted(flushed);
    });
    this.lanes.forget(confirmed);
    if (!withConfirmations && this.lanes.anyConfirmed()) this.schedule();
    this.lanes.inserted(events);
    this.host.committed();
    this.lanes.notify(events);
    if (flushed.length > 0) this.lanes.notify([{ priority: PRIORITY_TELEMETRY, pending: unionOf(flushed) }]);
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.host.flushDue();
    }, this.options.flushIntervalMs);
  }
}

function unionOf(records: readonly PendingRecord[]): number {
  let mask = 0;
  for (const r of records) mask |= r.pending;
  return mask;
}
