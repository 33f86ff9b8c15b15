import type { LeasedRow, StampedRecord } from './records.js';
import { PRIORITY_TELEMETRY } from './types.js';

/** A record with the row id it has (or will have) in the `records` table. */
export type WindowRecord = StampedRecord;

/**
 * Readings accepted and not yet written to the file: the group-commit buffer, and with
 * write-behind (docs/outbox.md, "Write-behind telemetry") the window from which destinations take
 * them straight from memory. Each record already carries the id its row will have (queue.ts hands
 * ids out), so a reading leased from here and spilled before its destination confirmed it is the
 * same id in the file: leases, confirmations and the send order need no translation.
 *
 * A destination's confirmation clears its bit here at once; a reading every destination confirmed
 * leaves the window and is never written. Records are kept in id order (a Map keeps insertion
 * order, and ids only grow), so the oldest is first and a spill writes a prefix in order.
 */
export class WriteBehindWindow {
  private readonly records = new Map<number, WindowRecord>();
  /** Monotonic time each record entered: spills are timed on it, not on the wall clock, which may step. */
  private readonly entered = new Map<number, number>();

  constructor(private readonly mono: () => number = () => performance.now()) {}

  add(record: WindowRecord): void {
    this.records.set(record.id, record);
    this.entered.set(record.id, this.mono());
  }

  /** How long (ms) the oldest record has been waiting; undefined when empty. */
  oldestAgeMs(): number | undefined {
    for (const at of this.entered.values()) return this.mono() - at;
    return undefined;
  }

  get size(): number {
    return this.records.size;
  }

  has(id: number): boolean {
    return this.records.has(id);
  }

  /** Every record, oldest first, still here. */
  list(): WindowRecord[] {
    return [...this.records.values()];
  }

  /** Every record, oldest first, forgotten here (spilled to the file, or handed on). */
  take(): WindowRecord[] {
    const all = [...this.records.values()];
    this.records.clear();
    this.entered.clear();
    return all;
  }

  /** Append time of the oldest record, for the destinations in `mask` (all when omitted). */
  oldestAt(mask = -1): number | undefined {
    for (const r of this.records.values()) if ((r.pending & mask) !== 0) return r.createdAt;
    return undefined;
  }

  /** Records waiting for a destination in `mask` (all when omitted). */
  count(mask = -1): number {
    if (mask === -1) return this.records.size;
    let n = 0;
    for (const r of this.records.values()) if ((r.pending & mask) !== 0) n++;
    return n;
  }

  /**
   * The destination of `mask` confirmed `id`. Returns false for an id not here (a row in the file:
   * the group commit applies it). A record nobody waits for any more is gone for good.
   */
  confirm(id: number, mask: number): boolean {
    const r = this.records.get(id);
    if (r === undefined) return false;
    r.pending &= ~mask;
    if (r.pending === 0) {
      this.records.delete(id);
      this.entered.delete(id);
    }
    return true;
  }

  /**
   * Leases for one destination: records for `mask` above `after` that `held` does not hold, oldest
   * first, appended to `taken` within the limits (at least one record in all, as the table's lease).
   */
  lease(mask: number, after: number, held: (id: number) => boolean, taken: LeasedRow[], bytes: number, maxCount: number, maxBytes: number): void {
    for (const r of this.records.values()) {
      if (r.id <= after || (r.pending & mask) === 0 || held(r.id)) continue;
      if (taken.length > 0 && (taken.length >= maxCount || bytes + r.bytes > maxBytes)) return;
      taken.push({ id: r.id, priority: PRIORITY_TELEMETRY, bytes: r.bytes, payload: r.payload, epoch: r.epoch });
      bytes += r.bytes;
    }
  }
}
