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

/** What taking another authority's time did: centre minus gateway before, and whether it was taken. */
export interface ClockAdoption {
  applied: boolean;
  offsetMs: number;
}

/**
 * A clock that can take its wall time from an authority other than the system: a monitoring
 * centre's clock sync (GB/T 26875.3 control 90). The system clock itself is never set (the daemon
 * runs without CAP_SYS_TIME); the gateway's view of wall time is.
 */
export interface AdjustableClock extends Clock {
  adopt(wallMs: number): ClockAdoption;
}

/** systemd-timesyncd touches this file once it has synchronized the clock (systemd >= 239). */
export const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';

export type SyncSource = 'auto' | 'assume-synced' | 'never';

export class SystemClock implements AdjustableClock {
  private syncedCache = false;
  private lastCheck = -Infinity;
  /** Centre time minus system time, while an adopted time is in force. */
  private offsetMs = 0;
  private adopted = false;
  constructor(
    private readonly source: SyncSource = 'auto',
    private readonly flagFile: string = TIMESYNC_FLAG,
  ) {}

  now(): number {
    // The system clock synchronized since a centre's time was adopted: it is stepped already, the
    // offset would now count twice.
    if (this.adopted && this.systemSynced()) this.dropAdoption();
    return Date.now() + this.offsetMs;
  }

  mono(): number {
    return performance.now();
  }

  synced(): boolean {
    return this.systemSynced() || this.adopted;
  }

  /**
   * A centre's time becomes the gateway's wall time, unless the system clock is synchronized (NTP
   * is more exact than a time tag of whole seconds): then the difference is only reported. Once
   * the system clock synchronizes, it takes over again.
   */
  adopt(wallMs: number): ClockAdoption {
    const offsetMs = wallMs - this.now();
    if (this.systemSynced()) return { applied: false, offsetMs };
    this.offsetMs = wallMs - Date.now();
    this.adopted = true;
    return { applied: true, offsetMs };
  }

  private dropAdoption(): void {
    this.adopted = false;
    this.offsetMs = 0;
  }

  private systemSynced(): boolean {
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
export class ManualClock implements AdjustableClock {
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
  adopt(wallMs: number): ClockAdoption {
    const offsetMs = wallMs - this.wall;
    this.wall = wallMs;
    this.isSynced = true;
    return { applied: true, offsetMs };
  }
  advance(ms: number): void {
    this.wall += ms;
    this.monoMs += ms;
  }
}
