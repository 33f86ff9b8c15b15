import { PRIORITIES, type Priority } from './types.js';

/**
 * In-memory bookkeeping of records one destination's connection holds. Never persisted on purpose: after a restart
 * nothing is in flight and every undelivered record is sent again (at-least-once).
 *
 * Per priority a cursor remembers "every id at or below me is held or gone", so leasing the next
 * batch is an index range scan from the cursor instead of a scan past everything in flight.
 * A release moves the cursor back below the released ids.
 *
 * Delivered records stay held until the group commit deleted them, so they are never leased again.
 */
export class LeaseTracker {
  private readonly held = new Map<number, { priority: Priority; acked: boolean; leased: boolean }>();
  private readonly acked = new Set<number>();
  private readonly cursors: number[] = PRIORITIES.map(() => 0);
  /** Held ids per priority (leased, or delivered and not yet deleted). */
  private readonly heldCounts: number[] = PRIORITIES.map(() => 0);

  cursor(priority: Priority): number {
    return this.cursors[priority] ?? 0;
  }

  isHeld(id: number): boolean {
    return this.held.has(id);
  }

  /** How many ids of `priority` are held: leased, or delivered and not deleted yet. */
  heldAt(priority: Priority): number {
    return this.heldCounts[priority] ?? 0;
  }

  /** Marks `id` as leased and moves the cursor over it (ids are leased in ascending order). */
  lease(id: number, priority: Priority): void {
    this.hold(id, { priority, acked: false, leased: true });
    this.skip(priority, id);
  }

  /** Moves the cursor over an id that is held already. */
  skip(priority: Priority, id: number): void {
    if (id > this.cursor(priority)) this.cursors[priority] = id;
  }

  /** Returns leased ids to the queue; delivered or unknown ids are ignored. */
  release(ids: readonly number[]): void {
    for (const id of ids) {
      const h = this.held.get(id);
      if (h === undefined || h.acked) continue;
      this.unhold(id);
      if (id - 1 < this.cursor(h.priority)) this.cursors[h.priority] = id - 1;
    }
  }

  /** Marks ids as delivered (the broker confirmed them); they stay held until deleted. Returns the ids newly marked. */
  delivered(ids: readonly number[]): number[] {
    const marked: number[] = [];
    for (const id of ids) {
      const h = this.held.get(id);
      if (h?.acked === true) continue;
      // An id delivered without a lease (e.g. by a tool) is still deleted; priority is read on delete.
      this.hold(id, { priority: h?.priority ?? 2, acked: true, leased: h !== undefined });
      this.acked.add(id);
      marked.push(id);
    }
    return marked;
  }

  /** The priority a delivered id was leased at; undefined if it was delivered without a lease. */
  priorityOf(id: number): Priority | undefined {
    const h = this.held.get(id);
    return h?.leased ? h.priority : undefined;
  }

  /** Ids delivered since the last commit. */
  pendingDeletes(): number[] {
    return [...this.acked];
  }

  hasPendingDeletes(): boolean {
    return this.acked.size > 0;
  }

  /** After the delete committed. */
  forget(ids: readonly number[]): void {
    for (const id of ids) {
      this.acked.delete(id);
      this.unhold(id);
    }
  }

  /** Every cursor back to the start (records were moved into a priority below its cursor). */
  rewind(): void {
    this.cursors.fill(0);
  }

  /** Leased and not yet delivered. */
  inflight(): number {
    return this.held.size - this.acked.size;
  }

  private hold(id: number, entry: { priority: Priority; acked: boolean; leased: boolean }): void {
    const before = this.held.get(id);
    if (before !== undefined) this.heldCounts[before.priority] = this.heldAt(before.priority) - 1;
    this.held.set(id, entry);
    this.heldCounts[entry.priority] = this.heldAt(entry.priority) + 1;
  }

  private unhold(id: number): void {
    const h = this.held.get(id);
    if (h === undefined) return;
    this.held.delete(id);
    this.heldCounts[h.priority] = this.heldAt(h.priority) - 1;
  }
}
