import { DepthCounts, type MaskCount } from './depth.js';
import type { Eviction } from './evict.js';
import { Lane, type LaneHost, type LaneParts } from './lane.js';
import type { PendingRecord } from './records.js';
import { maskOf } from './routing.js';
import { PRIORITY_TELEMETRY, type Priority } from './types.js';

/** Confirmations taken for one commit: per lane, the ids it confirmed. */
export type Confirmations = ReadonlyArray<readonly [Lane, readonly number[]]>;

/**
 * Every destination's lane, and the table-wide row counts beside them: whatever changes rows
 * (insert, confirmation, eviction) goes through here so that both stay right.
 */
export class Lanes {
  readonly rows: DepthCounts;
  private readonly byId = new Map<string, Lane>();

  constructor(
    private readonly bits: ReadonlyMap<string, number>,
    counts: readonly MaskCount[],
    parts: LaneParts,
    host: LaneHost,
  ) {
    this.rows = new DepthCounts(counts);
    for (const [id, bit] of bits) {
      const lane = new Lane(id, bit, parts, host);
      lane.depth.addCounts(counts);
      this.byId.set(id, lane);
    }
  }

  get(id: string): Lane | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Lane> {
    return this.byId.values();
  }

  /** The mask of these destination ids (unknown ids ignored). */
  maskOf(ids: Iterable<string>): number {
    return maskOf(ids, this.bits);
  }

  /** What every lane confirmed since the last commit. */
  confirmations(): Confirmations {
    const taken: [Lane, number[]][] = [];
    for (const lane of this.byId.values()) {
      const ids = lane.pendingConfirmed();
      if (ids.length > 0) taken.push([lane, ids]);
    }
    return taken;
  }

  /** Inside the commit's transaction; call the result once it committed (it updates the counts). */
  applyConfirmed(c: Confirmations): () => void {
    const settle: (() => void)[] = [];
    for (const [lane, ids] of c) lane.applyConfirmed(ids, this.rows, settle);
    return () => settle.forEach((f) => f());
  }

  /** After the commit that applied them. */
  forget(c: Confirmations): void {
    for (const [lane, ids] of c) lane.forget(ids);
  }

  /** After a commit: counts the records inserted (records for nobody are not stored). */
  inserted(records: readonly PendingRecord[]): void {
    for (const r of records) {
      if (r.pending === 0) continue;
      this.rows.add(r.priority, 1);
      for (const lane of this.byId.values()) if ((r.pending & lane.mask) !== 0) lane.depth.addLive(r.priority, 1);
    }
  }

  /** After a commit: wakes the connections of the destinations these records are for. */
  notify(records: readonly Pick<PendingRecord, 'pending' | 'priority'>[]): void {
    for (const lane of this.byId.values()) {
      let woken = -1;
      for (const r of records) {
        if ((r.pending & lane.mask) === 0 || r.priority === woken) continue;
        woken = r.priority;
        lane.notify(r.priority as Priority);
      }
    }
  }

  /** Rows the quota or a full disk evicted (in the transaction that deleted them). */
  evicted(ev: Eviction): void {
    this.rows.add(PRIORITY_TELEMETRY, -ev.count);
    for (const lane of this.byId.values()) lane.depth.addCounts(ev.counts, -1);
  }

  /** Whether any lane confirmed something not yet committed. */
  anyConfirmed(): boolean {
    for (const lane of this.byId.values()) if (lane.leases.hasPendingDeletes()) return true;
    return false;
  }
}
