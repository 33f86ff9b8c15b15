import { PARKED_OFFSET, PRIORITIES } from './types.js';

/**
 * Rows in the table per stored priority: 0..2 in the send order, 3..5 parked (priority +
 * PARKED_OFFSET). Kept beside every insert and delete, so that leasing skips empty priorities and
 * stats need no COUNT(*).
 */
export class DepthCounts {
  private readonly rows: number[];

  /** `initial`: rows per stored priority as the open counted them. */
  constructor(initial: readonly number[]) {
    this.rows = [...initial];
  }

  of(priority: number): number {
    return this.rows[priority] ?? 0;
  }

  add(priority: number, count: number): void {
    this.rows[priority] = this.of(priority) + count;
  }

  /** Whether any row is set aside after a refusal (parking.ts). */
  anyParked(): boolean {
    return PRIORITIES.some((p) => this.of(p + PARKED_OFFSET) !== 0);
  }

  /** Rows set aside after a refusal. */
  parked(): number {
    return PRIORITIES.reduce((n: number, p) => n + this.of(p + PARKED_OFFSET), 0);
  }

  total(): number {
    return this.rows.reduce((a, b) => a + b, 0);
  }

  /** Replaces every count with what the table says (after rows moved between priorities). */
  recount(counts: readonly { priority: number; n: number }[]): void {
    this.rows.fill(0);
    for (const r of counts) this.rows[r.priority] = r.n;
  }
}
