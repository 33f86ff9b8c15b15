import type { Database, Statement } from 'better-sqlite3';
import { EventBus } from '../events/bus.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { ClockEpochs } from './clock-epochs.js';
import { LaneDepth, type DepthCounts } from './depth.js';
import { consecutiveRuns } from './id-runs.js';
import { LeaseTracker } from './leases.js';
import type { Logger } from './logger.js';
import { Parking, type ParkingParts } from './parking.js';
import type { LeasedRow } from './records.js';
import { PRIORITIES, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type Priority } from './types.js';
import type { WriteBehindWindow } from './write-behind.js';

/** Rows read per leasing query. */
const PAGE = 256;

type RawLeasedRow = [id: number, priority: Priority, bytes: number, payload: string, epoch: number];

/** What a lane needs from the outbox around it. */
export interface LaneHost {
  /** Runs a storage operation; a storage failure fails the outbox and is thrown. */
  guard<T>(operation: string, fn: () => T): T;
  /** A confirmation arrived: its deletion goes with the next group commit. */
  confirmed(): void;
  /** Writes what is held in memory (and the confirmations) now. */
  flush(): void;
  /** Commits one of the outbox's own events and tells onNotice (parking's fault). */
  appendNotice(event: GatewayEvent): void;
}

export type LaneParts = Omit<ParkingParts, 'destination' | 'mask' | 'depth' | 'leases'> & {
  epochs: ClockEpochs;
  /** With write-behind: readings held in memory, leased from there after the stored ones (write-behind.ts). */
  window?: WriteBehindWindow;
};

/**
 * One destination's way through the shared `records` table: its own leases and cursors, its own
 * counts, its own parked records, its own "committed" notifications. It sees the rows whose
 * `pending` mask has its bit and whose `parked` mask has not. A confirmation clears its bit; the
 * row is deleted when no destination waits for it any more. So a destination that is down never
 * holds back another: each one's backlog position is its own.
 */
export class Lane {
  readonly mask: number;
  readonly leases = new LeaseTracker();
  readonly depth: LaneDepth;
  readonly parking: Parking;
  private readonly committed: EventBus<{ committed: Priority }>;
  private readonly pageAfter: Statement<[number, number, number, number, number]>;
  private readonly oldestOf: Statement<[number, number, number]>;
  private readonly removeRange: Statement<[number, number, number]>;
  private readonly clearRange: Statement<[number, number, number, number]>;
  private readonly rowOf: Statement<[number]>;
  private readonly removeOne: Statement<[number]>;
  private readonly clearOne: Statement<[number, number]>;

  constructor(
    readonly id: string,
    bit: number,
    private readonly parts: LaneParts,
    private readonly host: LaneHost,
  ) {
    const mask = (this.mask = 1 << bit);
    this.depth = new LaneDepth(mask);
    this.committed = new EventBus(parts.logger);
    const { db } = parts;
    this.parking = new Parking(
      { ...parts, destination: id, mask, depth: this.depth, leases: this.leases },
      { guard: (op, fn) => host.guard(op, fn), appendNotice: (e) => host.appendNotice(e), returned: () => this.notifyAll() },
    );
    // Raw rows (arrays) made into literals below: better-sqlite3's own row objects measured
    // 0.5 µs more per row here, a tenth of what a reading costs the drain.
    this.pageAfter = db
      .prepare('SELECT id, priority, bytes, payload, epoch FROM records WHERE priority = ? AND id > ? AND (pending & ?) != 0 AND (parked & ?) = 0 ORDER BY id LIMIT ?')
      .raw(true);
    this.oldestOf = db.prepare('SELECT created_at FROM records WHERE priority = ? AND (pending & ?) != 0 AND (parked & ?) = 0 ORDER BY id LIMIT 1').pluck();
    this.removeRange = db.prepare('DELETE FROM records WHERE id BETWEEN ? AND ? AND pending = ?');
    this.clearRange = db.prepare('UPDATE records SET pending = pending & ~? WHERE id BETWEEN ? AND ? AND (pending & ?) != 0');
    this.rowOf = db.prepare('SELECT priority, pending, parked FROM records WHERE id = ?');
    this.removeOne = db.prepare('DELETE FROM records WHERE id = ?');
    this.clearOne = db.prepare('UPDATE records SET pending = pending & ~? WHERE id = ?');
  }

  /** Leases this destination's most urgent records not in flight; unsynchronized times are corrected here. */
  nextBatch(limits: BatchLimits): Batch | undefined {
    const last = limits.maxPriority ?? PRIORITY_TELEMETRY;
    for (const priority of PRIORITIES) {
      if (priority > last) break;
      if (this.depth.of(priority) === 0 && !(priority === PRIORITY_TELEMETRY && this.inWindow())) continue;
      // Every live event row of this destination is held (in flight, or confirmed and awaiting its
      // delete): nothing to lease, no query. Both counts are kept beside the same commits (a row
      // leaves `live` in the commit that deletes it, and is forgotten right after), and events
      // are always rows, never in the write-behind window. Without this the drain read the event
      // rows again for every reading sent while an alarm was in flight.
      if (priority !== PRIORITY_TELEMETRY && this.depth.of(priority) <= this.leases.heldAt(priority)) continue;
      const rows = this.host.guard('nextBatch', () => this.leaseRows(priority, priority === PRIORITY_TELEMETRY ? limits.maxReadings : 1, limits.maxBytes));
      if (rows.length === 0) continue;
      const ids = rows.map((r) => r.id);
      const { epochs } = this.parts;
      // The stored record keeps its stamp; only what is sent is corrected.
      if (priority === PRIORITY_TELEMETRY) {
        return { kind: 'telemetry', priority, ids, readings: rows.map((r) => epochs.correct(JSON.parse(r.payload) as Reading, r.epoch)) };
      }
      const row = rows[0]!;
      return { kind: 'event', priority, ids, event: epochs.correct(JSON.parse(row.payload) as GatewayEvent, row.epoch) };
    }
    return undefined;
  }

  /**
   * The destination confirmed these: its part is cleared with the next group commit. A reading
   * still in memory (write-behind) is done for it at once: no commit, and once every destination
   * it was for confirmed it, it is never written at all.
   */
  delivered(ids: readonly number[]): void {
    const window = this.parts.window;
    let rows = ids;
    if (window !== undefined && window.size > 0) {
      const stored: number[] = [];
      for (const id of ids) {
        if (window.confirm(id, this.mask)) this.leases.forget([id]);
        else stored.push(id);
      }
      rows = stored;
    }
    if (this.leases.delivered(rows).length > 0) this.host.confirmed();
  }

  /** Refused for good: set aside (parking.ts). Readings still in memory are written first: only rows can be parked. */
  park(ids: readonly number[], reason: string): void {
    const window = this.parts.window;
    if (window !== undefined && ids.some((id) => window.has(id))) this.host.flush();
    this.parking.park(ids, reason);
  }

  /** Not confirmed: leased again later. */
  release(ids: readonly number[]): void {
    this.leases.release(ids);
  }

  /**
   * Inside the group commit's transaction: clears this destination's bit from the confirmed rows
   * and deletes those nobody else waits for. Confirmed telemetry comes back in long runs of
   * consecutive ids: one range delete per run (the drain's main cost otherwise), and the update
   * for rows other destinations still wait for only when the delete left some. The counts change
   * in `settle`, once the transaction committed (a full disk rolls it back and it is tried again).
   */
  applyConfirmed(ids: readonly number[], rows: DepthCounts, settle: (() => void)[]): void {
    const { mask } = this;
    for (const run of consecutiveRuns(ids, (id) => this.leases.priorityOf(id))) {
      const priority = run.priority;
      if (priority !== undefined) {
        const removed = this.removeRange.run(run.from, run.to, mask).changes;
        const cleared = removed === run.to - run.from + 1 ? 0 : this.clearRange.run(mask, run.from, run.to, mask).changes;
        settle.push(() => {
          rows.add(priority, -removed);
          this.depth.addLive(priority, -(removed + cleared));
        });
        continue;
      }
      for (let id = run.from; id <= run.to; id++) this.applyOne(id, rows, settle);
    }
  }

  /** Leased and confirmed ids not yet committed (snapshot for the next commit). */
  pendingConfirmed(): number[] {
    return this.leases.pendingDeletes();
  }

  /** After the commit that applied them. */
  forget(ids: readonly number[]): void {
    this.leases.forget(ids);
  }

  /** Append time of this destination's oldest stored record in its send order, if any. */
  oldestAt(): number | undefined {
    let oldest: number | undefined;
    for (const p of PRIORITIES) {
      if (this.depth.of(p) === 0) continue;
      const at = this.host.guard('stats', () => this.oldestOf.get(p, this.mask, this.mask)) as number | undefined;
      if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
    }
    return oldest;
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.committed.on('committed', listener);
  }

  notify(priority: Priority): void {
    this.committed.emit('committed', priority);
  }

  notifyAll(): void {
    for (const p of PRIORITIES) this.notify(p);
  }

  /** A confirmation of an id this lane did not lease (e.g. by a tool): the row is read first. */
  private applyOne(id: number, rows: DepthCounts, settle: (() => void)[]): void {
    const row = this.rowOf.get(id) as { priority: number; pending: number; parked: number } | undefined;
    if (row === undefined || (row.pending & this.mask) === 0) return;
    const deleted = row.pending === this.mask;
    if (deleted) this.removeOne.run(id);
    else this.clearOne.run(this.mask, id);
    settle.push(() => {
      if (deleted) rows.add(row.priority, -1);
      if ((row.parked & this.mask) === 0) this.depth.addLive(row.priority, -1);
      else this.depth.addParked(row.priority, -1);
    });
  }

  /** Whether the window holds readings for this destination. */
  private inWindow(): boolean {
    const window = this.parts.window;
    return window !== undefined && window.size > 0 && window.count(this.mask) > 0;
  }

  /**
   * Stored rows first, then (telemetry, write-behind) readings held in memory: their ids are all
   * above the stored ones (a spill writes the whole window), so one cursor serves both.
   */
  private leaseRows(priority: Priority, maxCount: number, maxBytes: number): LeasedRow[] {
    const taken: LeasedRow[] = [];
    const full = this.depth.of(priority) > 0 && this.leaseStored(priority, maxCount, maxBytes, taken);
    const window = this.parts.window;
    if (full || priority !== PRIORITY_TELEMETRY || window === undefined || window.size === 0) return taken;
    const from = taken.length;
    const bytes = taken.reduce((n, r) => n + r.bytes, 0);
    window.lease(this.mask, this.leases.cursor(priority), (id) => this.leases.isHeld(id), taken, bytes, maxCount, maxBytes);
    for (let i = from; i < taken.length; i++) this.leases.lease(taken[i]!.id, priority);
    return taken;
  }

  /** Leases stored rows into `taken`; true when the limits are reached. */
  private leaseStored(priority: Priority, maxCount: number, maxBytes: number, taken: LeasedRow[]): boolean {
    let bytes = 0;
    for (;;) {
      const raw = this.pageAfter.all(priority, this.leases.cursor(priority), this.mask, this.mask, PAGE) as RawLeasedRow[];
      for (const [id, rowPriority, rowBytes, payload, epoch] of raw) {
        if (this.leases.isHeld(id)) {
          this.leases.skip(priority, id);
          continue;
        }
        if (taken.length > 0 && (taken.length >= maxCount || bytes + rowBytes > maxBytes)) return true;
        this.leases.lease(id, priority);
        taken.push({ id, priority: rowPriority, bytes: rowBytes, payload, epoch });
        bytes += rowBytes;
      }
      if (taken.length >= maxCount) return true;
      if (raw.length < PAGE) return false;
    }
  }
}
