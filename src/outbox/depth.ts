import { PRIORITIES } from './types.js';

/** Rows of one priority with the same destination masks, as `GROUP BY priority, pending, parked` counts them. */
export interface MaskCount {
  priority: number;
  pending: number;
  parked: number;
  n: number;
}

/**
 * Rows in the table per priority, whichever destinations still wait for them. Kept beside every
 * insert and delete, so that storage pressure and stats need no COUNT(*).
 */
export class DepthCounts {
  private readonly rows: number[] = PRIORITIES.map(() => 0);

  constructor(initial: readonly MaskCount[] = []) {
    for (const c of initial) this.add(c.priority, c.n);
  }

  of(priority: number): number {
    return this.rows[priority] ?? 0;
  }

  add(priority: number, count: number): void {
    this.rows[priority] = this.of(priority) + count;
  }

  total(): number {
    return this.rows.reduce((a, b) => a + b, 0);
  }
}

/**
 * One destination's rows per priority: `live` (it has not confirmed them and they are in its send
 * order) and `parked` (it refused them for good). Leasing skips priorities with no live rows.
 */
export class LaneDepth {
  private readonly live: number[] = PRIORITIES.map(() => 0);
  private readonly set: number[] = PRIORITIES.map(() => 0);

  constructor(private readonly mask: number) {}

  /** Counts every row whose masks include this destination. */
  addCounts(counts: readonly MaskCount[], sign = 1): void {
    for (const c of counts) {
      if ((c.pending & this.mask) === 0) continue;
      if ((c.parked & this.mask) === 0) this.addLive(c.priority, sign * c.n);
      else this.addParked(c.priority, sign * c.n);
    }
  }

  of(priority: number): number {
    return this.live[priority] ?? 0;
  }

  addLive(priority: number, count: number): void {
    this.live[priority] = this.of(priority) + count;
  }

  addParked(priority: number, count: number): void {
    this.set[priority] = (this.set[priority] ?? 0) + count;
  }

  parked(): number {
    return this.set.reduce((a, b) => a + b, 0);
  }

  anyParked(): boolean {
    return this.parked() !== 0;
  }
}
