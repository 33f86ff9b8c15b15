import type { Database, Statement } from 'better-sqlite3';
import type { MaskCount } from './depth.js';
import { PRIORITY_TELEMETRY } from './types.js';

export interface Eviction {
  count: number;
  /** Sampling wall times of the oldest and newest dropped reading. */
  fromTs: number;
  toTs: number;
  /** The evicted rows by destination masks: every destination's counts drop by its part (lanes.ts). */
  counts: MaskCount[];
}

/**
 * Deletes the oldest committed telemetry, whichever destinations still wait for it, never an event: the statements only ever touch
 * `priority = PRIORITY_TELEMETRY`. Oldest means lowest id (insertion order), not wall time, so an
 * unsynchronized clock cannot make the newest readings look old.
 */
export class TelemetryEvictor {
  private readonly cutoff: Statement<[number, number]>;
  private readonly last: Statement<[number]>;
  private readonly summary: Statement<[number, number]>;
  private readonly remove: Statement<[number, number]>;
  private readonly byMask: Statement<[number, number]>;

  constructor(db: Database) {
    this.cutoff = db.prepare('SELECT id FROM records WHERE priority = ? ORDER BY id LIMIT 1 OFFSET ?');
    this.last = db.prepare('SELECT MAX(id) AS id FROM records WHERE priority = ?');
    this.summary = db.prepare(
      "SELECT COUNT(*) AS n, MIN(json_extract(payload, '$.ts')) AS t1, MAX(json_extract(payload, '$.ts')) AS t2 FROM records WHERE priority = ? AND id <= ?",
    );
    this.remove = db.prepare('DELETE FROM records WHERE priority = ? AND id <= ?');
    this.byMask = db.prepare('SELECT priority, pending, parked, COUNT(*) AS n FROM records WHERE priority = ? AND id <= ? GROUP BY pending, parked');
  }

  /** Deletes up to `rows` of the oldest readings; call inside a transaction. */
  evictOldest(rows: number): Eviction | undefined {
    if (rows <= 0) return undefined;
    const at = this.cutoff.get(PRIORITY_TELEMETRY, rows - 1) as { id: number } | undefined;
    const cut = at?.id ?? (this.last.get(PRIORITY_TELEMETRY) as { id: number | null }).id;
    if (cut === null || cut === undefined) return undefined;
    const s = this.summary.get(PRIORITY_TELEMETRY, cut) as { n: number; t1: number; t2: number };
    if (s.n === 0) return undefined;
    const counts = this.byMask.all(PRIORITY_TELEMETRY, cut) as MaskCount[];
    this.remove.run(PRIORITY_TELEMETRY, cut);
    return { count: s.n, fromTs: s.t1, toTs: s.t2, counts };
  }
}
