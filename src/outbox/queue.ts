import type { Database } from 'better-sqlite3';
import type { ClockEpochs } from './clock-epochs.js';
import type { CommitDurability } from './commit-durability.js';
import type { Confirmations, Lanes } from './lanes.js';
import type { PendingRecord, RecordTable, StampedRecord } from './records.js';
import { PRIORITY_TELEMETRY } from './types.js';
import type { WriteBehindRun } from './write-behind-run.js';
import type { WriteBehindWindow } from './write-behind.js';

export interface QueueOptions {
  /** Buffered readings (write-through) and confirmations are committed at most this long after the first one. */
  flushIntervalMs: number;
  /** ...or as soon as this many readings are buffered (with write-behind: held in memory). */
  maxBuffered: number;
  /**
   * Write-behind (docs/outbox.md): readings stay in memory, leased to destinations from there, and
   * are written to the file only once the oldest has waited this long (ms), all of them in one
   * commit. 0: write-through, every reading is group-committed within flushIntervalMs.
   */
  writeBehindMs: number;
}

/** What the queue needs from the outbox around it. */
export interface QueueHost {
  /** Runs a storage operation; a storage failure fails the outbox and is thrown. */
  guard<T>(operation: string, fn: () => T): T;
  /** A commit failed with SQLITE_FULL (rolled back cleanly): make room and commit `events`, or throw. */
  diskFull(events: PendingRecord[], confirmed: Confirmations): void;
  /** After every commit: the quota and the free-space floor are looked at. */
  committed(): void;
  /** The commit timer is due: nobody waits on that commit, the host reports its failure. */
  flushDue(): void;
}

/** The parts of the file a commit writes besides the records. */
export interface QueueParts {
  table: RecordTable;
  lanes: Lanes;
  epochs: ClockEpochs;
  window: WriteBehindWindow;
  durability: CommitDurability;
  run: WriteBehindRun;
}

/**
 * The durable queue the pipeline appends to and the destinations lease from (lane.ts). Events
 * are committed (fsynced) before the append returns; readings wait in the window (write-behind.ts)
 * until a commit writes them, which also applies what the destinations confirmed.
 *
 * Write-through (writeBehindMs 0): the window is the group-commit buffer, written within
 * flushIntervalMs, and an event takes it into its own transaction. Write-behind: destinations
 * lease readings from the window, a reading every destination confirmed is never written, and the
 * rest are spilled together once the oldest waited writeBehindMs (or maxBuffered are held): at
 * most one reading commit per window however the uplink fares. Confirmations of rows wait for the
 * same window (a lost one is a duplicate, never a loss); events never wait for either.
 */
export class RecordQueue {
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  /** Monotonic time by which confirmations must be committed; Infinity when there are none. */
  private confirmDueAt = Infinity;
  private readonly writeBehind: boolean;
  private readonly transaction: (events: PendingRecord[], confirmed: Confirmations, spill: readonly StampedRecord[]) => () => void;

  constructor(
    db: Database,
    private readonly parts: QueueParts,
    private readonly options: QueueOptions,
    private readonly host: QueueHost,
  ) {
    this.writeBehind = options.writeBehindMs > 0;
    // Spilled readings, an urgent event and confirmations share one transaction: one commit.
    // Returns what updates the counts, to call once it committed.
    this.transaction = db.transaction((events: PendingRecord[], confirmed: Confirmations, spill: readonly StampedRecord[]) => {
      const { table, lanes, durability, run } = this.parts;
      for (const r of spill) table.insert(r);
      for (const r of events) table.insert(r);
      if (this.writeBehind) run.note(this.parts.window.size);
      durability.observe(events.length > 0 ? 'events' : 'readings');
      return lanes.applyConfirmed(confirmed);
    });
  }

  /**
   * Commits `events` (raised together: one poll's) in one transaction, with fsync, before
   * returning (write-through: with the buffered readings).
   */
  appendEvents(events: PendingRecord[]): void {
    // Without the confirmations: during a backlog drain they are thousands of rows, and an alarm
    // must not wait for them. They go with the next commit. Nor, with write-behind, the window:
    // an alarm waits for no reading, and a reading delivered from memory is never written.
    this.commitNow('appendEvent', events, false, !this.writeBehind);
  }

  /** Holds the reading in the window; it is durable once a commit spilled it. */
  appendReading(reading: StampedRecord): void {
    const { window, lanes } = this.parts;
    window.add(reading);
    if (window.size >= this.options.maxBuffered) {
      this.flush();
      return;
    }
    this.arm(this.windowDueIn());
    // With write-behind a destination takes it from memory: wake its connection now.
    if (this.writeBehind) lanes.notify([reading]);
  }

  /** Commits every reading held and the confirmations in one transaction (close, tools, tests). */
  flush(): void {
    if (this.parts.window.size === 0 && !this.parts.lanes.anyConfirmed()) return;
    this.commitNow('flush', [], true, true);
  }

  /** The timer: spills the window once its oldest is due, commits confirmations once they are. */
  due(): void {
    const now = performance.now();
    const windowDue = (this.windowDueIn() ?? Infinity) <= 1;
    const confirmDue = this.confirmDueAt <= now + 1 && this.parts.lanes.anyConfirmed();
    if (windowDue || confirmDue) this.commitNow('flush', [], true, windowDue || !this.writeBehind);
    this.rearm();
  }

  /**
   * Commits `events` and the confirmations without the window, SQLITE_FULL thrown as it is: for
   * the full-disk handling, which dropped the window and makes room around it.
   */
  commitUnbuffered(events: PendingRecord[], confirmed: Confirmations): void {
    this.parts.durability.commit('events', () => this.transaction(events, confirmed, [])());
  }

  /** The readings held, forgotten here (a full disk drops them, a failed handle hands them on). */
  takeBuffered(): StampedRecord[] {
    return this.parts.window.take();
  }

  /** Readings held, or those of them for the destinations in `mask`. */
  bufferedCount(mask?: number): number {
    return this.parts.window.count(mask);
  }

  /** Append time of the oldest held reading for the destinations in `mask`. */
  oldestBufferedAt(mask: number): number | undefined {
    return this.parts.window.oldestAt(mask);
  }

  /** A destination confirmed rows: they are applied with a commit within the confirmation delay. */
  confirmed(): void {
    if (this.confirmDueAt !== Infinity) return;
    const delay = this.writeBehind ? Math.max(this.options.flushIntervalMs, this.options.writeBehindMs) : this.options.flushIntervalMs;
    this.confirmDueAt = performance.now() + delay;
    this.arm(delay);
  }

  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Infinity;
  }

  /** Milliseconds until the window is due to be written; undefined when it is empty. */
  private windowDueIn(): number | undefined {
    const age = this.parts.window.oldestAgeMs();
    if (age === undefined) return undefined;
    return (this.writeBehind ? this.options.writeBehindMs : this.options.flushIntervalMs) - age;
  }

  private commitNow(operation: string, events: PendingRecord[], withConfirmations: boolean, withWindow: boolean): void {
    const { lanes, durability, epochs, window, run } = this.parts;
    const confirmed = withConfirmations ? lanes.confirmations() : [];
    const spill = withWindow ? window.list() : [];
    let spilled = false;
    this.host.guard(operation, () => {
      epochs.noteSync();
      try {
        durability.commit(events.length > 0 ? 'events' : 'readings', () => this.transaction(events, confirmed, spill)());
      } catch (err) {
        // A full disk is not a failed fsync: SQLite rolled the transaction back cleanly, so it can
        // be retried once the reserved room is released and the oldest telemetry evicted.
        if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
        this.host.diskFull(events, confirmed);
        return;
      }
      spilled = spill.length > 0;
      if (spilled) window.take();
      run.settled();
      lanes.inserted(spill);
    });
    lanes.forget(confirmed);
    if (withConfirmations) this.confirmDueAt = Infinity;
    lanes.inserted(events);
    this.host.committed();
    lanes.notify(events);
    if (spilled) lanes.notify([{ priority: PRIORITY_TELEMETRY, pending: unionOf(spill) }]);
    this.rearm();
  }

  /** After a commit or the timer: the next deadline, if anything still waits. */
  private rearm(): void {
    const windowIn = this.windowDueIn();
    if (windowIn !== undefined) this.arm(windowIn);
    if (this.parts.lanes.anyConfirmed()) {
      if (this.confirmDueAt === Infinity) this.confirmed();
      else this.arm(this.confirmDueAt - performance.now());
    }
  }

  /** The timer fires in `delayMs`, unless it fires sooner already. */
  private arm(delayMs: number | undefined): void {
    if (delayMs === undefined) return;
    const at = performance.now() + Math.max(0, delayMs);
    if (this.timer !== undefined && this.timerDueAt <= at) return;
    clearTimeout(this.timer);
    this.timerDueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = Infinity;
      this.host.flushDue();
    }, Math.max(0, Math.ceil(delayMs)));
  }
}

function unionOf(records: readonly PendingRecord[]): number {
  let mask = 0;
  for (const r of records) mask |= r.pending;
  return mask;
}
