import type { Database, Statement } from 'better-sqlite3';
import type { SequenceSource } from '../model/sequence.js';

const KEY = 'seq_high_water';

/**
 * Gateway sequence numbers that keep increasing across restarts without a disk write per number:
 * before handing out a number above the persisted high-water mark, the mark is moved a block ahead
 * and committed. After a crash the next process starts above the mark, so no number is ever
 * reused; at most one block is skipped.
 */
export class PersistentSequence implements SequenceSource {
  private last: number;
  private highWater: number;
  private readonly save: Statement<[string, number]>;

  constructor(
    db: Database,
    // Each block costs one synchronous (fsynced) write on the event loop; at tens of thousands of
    // readings a second a small block means many fsyncs a second. Gaps after a crash are harmless.
    private readonly blockSize = 100_000,
  ) {
    this.save = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: number } | undefined;
    this.highWater = row?.value ?? 0;
    this.last = this.highWater;
  }

  next(): number {
    if (this.last + 1 > this.highWater) {
      const mark = this.last + this.blockSize;
      this.save.run(KEY, mark);
      this.highWater = mark;
    }
    return ++this.last;
  }

  /**
   * Continues above `mark` (e.g. the mark salvaged from a file that was moved aside): no number at
   * or below it is handed out again.
   */
  raiseTo(mark: number): void {
    if (mark <= this.last) return;
    this.last = mark;
    this.highWater = mark;
  }

  /** The last number handed out (for stats and tests). */
  current(): number {
    return this.last;
  }
}

/**
 * Where a sequence continues when its file's mark is lost (a file moved aside, or one that never
 * opened): above the salvaged mark, or, if none could be read, above the wall clock in
 * microseconds, which is above any sequence a gateway can have produced at fewer than a million
 * records a second since 1970.
 */
export function freshSequenceFloor(salvaged: number | undefined, wallMs: number): number {
  if (salvaged !== undefined) return salvaged;
  return Math.floor(wallMs) * 1000;
}
