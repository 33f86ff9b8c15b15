import type { Database, Statement } from 'better-sqlite3';
import type { SequenceSource } from '../model/sequence.js';
import type { SequenceMark } from './sequence-mark.js';

const KEY = 'seq_high_water';

/**
 * Numbers reserved per durable write. Each block costs one fsynced commit in the outbox file and one
 * atomic replace of the mark in the state directory (two fsyncs and a rename), synchronously on the
 * event loop: at tens of thousands of readings a second a block of 1000 would be tens of those a
 * second on an SD card. A crash skips at most a block; numbers are 2^53, so a skip of 100,000 at
 * every restart for a century of restarts is still nothing.
 */
export const SEQUENCE_BLOCK = 100_000;

/**
 * Gateway sequence numbers that keep increasing across restarts without a disk write per number:
 * before handing out a number above the persisted high-water mark, the mark is moved a block ahead
 * and committed, in the file and then in the mark outside it (sequence-mark.ts), so the outside
 * mark is never ahead of a file that took its block. After a crash the next process starts above
 * the mark, so no number is ever reused; at most one block is skipped.
 */
export class PersistentSequence implements SequenceSource {
  private last: number;
  private highWater: number;
  private readonly save: Statement<[string, number]>;
  /** Whether the file held a mark at open (a file without one has never handed out a number). */
  readonly stored: boolean;

  constructor(
    db: Database,
    private readonly blockSize = SEQUENCE_BLOCK,
    private readonly outside?: SequenceMark,
  ) {
    this.save = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: number } | undefined;
    this.stored = row !== undefined;
    this.highWater = row?.value ?? 0;
    this.last = this.highWater;
  }

  next(): number {
    if (this.last + 1 > this.highWater) {
      const mark = this.last + this.blockSize;
      this.save.run(KEY, mark);
      this.outside?.reserve(mark);
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

  /** The mark committed in the file: no number above it has been handed out. */
  highWaterMark(): number {
    return this.highWater;
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
