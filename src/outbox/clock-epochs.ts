import { readFileSync } from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';

/** What the outbox needs from the gateway clock (src/clock/clock.ts's Clock fits). */
export interface OutboxClock {
  now(): number;
  mono(): number;
  synced(): boolean;
}

/** A record's time fields, as stored in its JSON payload. */
export interface Stamped {
  ts: number;
  synced: boolean;
  mono: number;
}

/** A stamped record whose time was corrected at send time; `tsUnsynced` is the original stamp. */
export type Corrected<T extends Stamped> = T & { tsUnsynced?: number };

/**
 * Clock integrity without rewriting history. A Pi has no real-time clock, so records taken before
 * NTP sync carry a wall time that may be hours off, plus a monotonic time. Each process run that
 * opens the outbox is an *epoch*: its monotonic clock has its own origin, which is tied to the
 * kernel's boot-relative monotonic clock (CLOCK_MONOTONIC, `process.hrtime`) and the boot id. Once
 * the clock is synchronized, one row per boot records `wall - bootMono`. At send time an
 * unsynchronized record of an epoch of that boot is corrected:
 *
 *   wall = mono + epochOrigin + (syncWall - syncBootMono)   (= syncWall - (syncMono - mono))
 *
 * The stored record is never updated: the original stamp stays in the database and goes out as
 * `tsUnsynced` beside the corrected one. Records from an earlier boot that never saw a sync stay
 * uncorrected (flagged unsynced): no monotonic time survives a reboot.
 */
export class ClockEpochs {
  readonly epoch: number;
  private readonly originMs: number;
  private syncRecorded = false;
  private readonly offsets = new Map<number, number | null>();
  private readonly saveSync: Statement<[string, number]>;
  private readonly offsetOf: Statement<[number]>;

  constructor(
    db: Database,
    private readonly clock: OutboxClock,
    private readonly bootId: string = readBootId(),
  ) {
    const last = db.prepare('SELECT MAX(epoch) AS e FROM clock_epochs').get() as { e: number | null };
    this.epoch = (last.e ?? 0) + 1;
    this.originMs = bootMonoMs() - clock.mono();
    db.prepare('INSERT INTO clock_epochs (epoch, boot_id, origin_ms) VALUES (?, ?, ?)').run(this.epoch, bootId, this.originMs);
    this.saveSync = db.prepare(
      'INSERT INTO clock_sync (boot_id, wall_minus_boot) VALUES (?, ?) ON CONFLICT (boot_id) DO UPDATE SET wall_minus_boot = excluded.wall_minus_boot',
    );
    this.offsetOf = db.prepare(
      'SELECT e.origin_ms + s.wall_minus_boot AS off FROM clock_epochs e JOIN clock_sync s ON s.boot_id = e.boot_id WHERE e.epoch = ?',
    );
  }

  /**
   * Records the sync relation the first time the clock reports synchronized in this epoch. Cheap
   * when nothing changes; call it before commits. Returns true when it was recorded now.
   */
  noteSync(): boolean {
    if (this.syncRecorded || !this.clock.synced()) return false;
    const wallMinusBoot = this.clock.now() - (this.clock.mono() + this.originMs);
    this.saveSync.run(this.bootId, wallMinusBoot);
    this.syncRecorded = true;
    this.offsets.clear();
    return true;
  }

  /** Returns the record with its wall time corrected, or the record itself if it needs none or none is known. */
  correct<T extends Stamped>(record: T, epoch: number): Corrected<T> {
    if (record.synced || typeof record.mono !== 'number') return record;
    const off = this.offset(epoch);
    if (off === null) return record;
    return { ...record, ts: Math.round(record.mono + off), synced: true, tsUnsynced: record.ts };
  }

  private offset(epoch: number): number | null {
    const cached = this.offsets.get(epoch);
    if (cached !== undefined) return cached;
    const row = this.offsetOf.get(epoch) as { off: number } | undefined;
    const off = row?.off ?? null;
    // A miss is cached too; noteSync() clears the cache when a sync becomes known.
    this.offsets.set(epoch, off);
    return off;
  }
}

/** Boot-relative monotonic ms (CLOCK_MONOTONIC on Linux). */
function bootMonoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Without a boot id, epochs of different runs are never related: only same-run correction.
    return `unknown-${process.pid}-${Date.now()}`;
  }
}
