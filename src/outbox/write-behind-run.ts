import type { Database, Statement } from 'better-sqlite3';

const OPEN = 'write_behind_open';
const PEAK = 'write_behind_peak';
const WINDOW = 'write_behind_ms';

/** What the previous run of the file left, read at open. */
export interface PreviousRun {
  /** It never closed the file: a crash, a kill or a power cut. */
  unclean: boolean;
  /** The most readings it held in memory only (not in the file, not confirmed by everyone), as of its last commit. */
  peak: number;
  /** Its write-behind window (ms). */
  windowMs: number;
}

/**
 * Accounting for readings a crash takes with it (docs/outbox.md, "Write-behind telemetry"). The
 * file keeps, in `meta`, whether a run has it open, and the most readings that run held in memory
 * only. The open flag is written once at open and cleared at close; the peak only when it grew,
 * inside a commit that happens anyway (a spill, an event): after warm-up it hardly changes, so this
 * costs no writes of its own. A run that never cleared the flag stopped uncleanly: what it held
 * in memory is lost, and the next open reports it with the peak as the estimate.
 */
export class WriteBehindRun {
  private peak = 0;
  private written = 0;
  private pending = 0;
  private readonly upsert: Statement<[string, number]>;

  constructor(private readonly db: Database) {
    this.upsert = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  }

  /** At open: what the previous run left; marks this run open (one small commit). */
  begin(windowMs: number): PreviousRun {
    const get = this.db.prepare<[string]>('SELECT value FROM meta WHERE key = ?').pluck();
    const previous = { unclean: get.get(OPEN) === 1, peak: Number(get.get(PEAK) ?? 0), windowMs: Number(get.get(WINDOW) ?? 0) };
    this.db.transaction(() => {
      this.upsert.run(OPEN, 1);
      this.upsert.run(PEAK, 0);
      this.upsert.run(WINDOW, windowMs);
    })();
    return previous;
  }

  /** Inside a commit's transaction: `held` readings are in memory only now. */
  note(held: number): void {
    if (held > this.peak) this.peak = held;
    if (this.peak > this.written) {
      this.upsert.run(PEAK, this.peak);
      this.pending = this.peak;
    }
  }

  /** After that commit succeeded. */
  settled(): void {
    if (this.pending > this.written) this.written = this.pending;
  }

  /** At close, after the last spill: nothing is left in memory only. */
  end(): void {
    this.upsert.run(OPEN, 0);
  }
}
