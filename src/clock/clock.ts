import { existsSync } from 'node:fs';

/**
 * Time as the gateway sees it. A Pi has no real-time clock: until the system says the clock is
 * synchronized, wall times are flagged `synced: false` and carry a monotonic time so they can be
 * corrected later. Components take a Clock so tests can drive time.
 */
export interface Clock {
  /** Wall time, ms since the epoch. */
  now(): number;
  /** Monotonic ms since an arbitrary origin; never jumps. */
  mono(): number;
  /** Whether the wall clock is known to be synchronized right now. */
  synced(): boolean;
}

/** systemd-timesyncd touches this file once it has synchronized the clock (systemd >= 239). */
export const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';

export type SyncSource = 'auto' | 'assume-synced' | 'never';

export class SystemClock implements Clock {
  private syncedCache = false;
  private lastCheck = -Infinity;
  constructor(
    private readonly source: SyncSource = 'auto',
    private readonly flagFile: string = TIMESYNC_FLAG,
  ) {}

  now(): number {
    return Date.now();
  }

  mono(): number {
    return performance.now();
  }

  synced(): boolean {
    if (this.source === 'assume-synced') return true;
    if (this.source === 'never') return false;
    // Once synchronized, stay synchronized for the life of the process; re-check at most 1/s before.
    if (this.syncedCache) return true;
    const m = this.mono();
    if (m - this.lastCheck >= 1000) {
      this.lastCheck = m;
      this.syncedCache = existsSync(this.flagFile);
    }
    return this.syncedCache;
  }
}

/** A clock for tests: time moves only when told. */
export class ManualClock implements Clock {
  constructor(
    public wall = Date.UTC(2026, 0, 1),
    public monoMs = 0,
    public isSynced = true,
  ) {}
  now(): number {
    return this.wall;
  }
  mono(): number {
    return this.monoMs;
  }
  synced(): boolean {
    return this.isSynced;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.monoMs += ms;
  }
}
