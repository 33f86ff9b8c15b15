import type { OfflinePolicy } from '../config/types.js';

/**
 * Whether a device answers. Offline after `afterPolls` consecutive polls without a valid answer, or
 * `afterMs` since the last valid answer (or since observation began, for a device that never
 * answered), whichever comes first. Online again on the next valid answer. Pure: the engine turns
 * the transitions into `offline` / `online` events, once each.
 */

export type AvailabilityState = 'unknown' | 'online' | 'offline';

export class AvailabilityTracker {
  private failures = 0;
  /** Monotonic time of the last valid answer, or of the first observation if there was none yet. */
  private referenceMono: number | undefined;
  private answered = false;
  private offline = false;
  private offlineSinceMono = 0;
  private lastCode: string | undefined;

  constructor(private readonly policy: OfflinePolicy) {}

  get state(): AvailabilityState {
    if (this.offline) return 'offline';
    return this.answered ? 'online' : 'unknown';
  }

  /** Polls in a row without a valid answer. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Code of the most recent failure (e.g. MODBUS_TIMEOUT), for the offline message. */
  get lastErrorCode(): string | undefined {
    return this.lastCode;
  }

  /** How long since the last valid answer (or since observation began). */
  silentForMs(mono: number): number {
    return this.referenceMono === undefined ? 0 : mono - this.referenceMono;
  }

  /** A valid answer. Returns 'online' (with how long it was offline) when this ends an outage. */
  succeeded(mono: number): { type: 'online'; offlineForMs: number } | undefined {
    this.failures = 0;
    this.referenceMono = mono;
    this.answered = true;
    if (!this.offline) return undefined;
    this.offline = false;
    return { type: 'online', offlineForMs: mono - this.offlineSinceMono };
  }

  /** A poll with no valid answer. Returns 'offline' when this starts an outage. */
  failed(mono: number, errorCode: string): { type: 'offline'; reason: 'polls' | 'time' } | undefined {
    this.observe(mono);
    this.failures += 1;
    this.lastCode = errorCode;
    if (this.offline) return undefined;
    if (this.failures >= Math.max(1, this.policy.afterPolls)) return this.goOffline(mono, 'polls');
    return this.checkTime(mono);
  }

  /**
   * Time passes with no poll result (a backed-off device is polled rarely). Only a device that is
   * already failing, or never answered, can go offline by time: a healthy device polled less often
   * than `afterMs` is a configuration matter, not an outage.
   */
  tick(mono: number): { type: 'offline'; reason: 'polls' | 'time' } | undefined {
    this.observe(mono);
    if (this.offline) return undefined;
    if (this.answered && this.failures === 0) return undefined;
    return this.checkTime(mono);
  }

  private observe(mono: number): void {
    if (this.referenceMono === undefined) this.referenceMono = mono;
  }

  private checkTime(mono: number): { type: 'offline'; reason: 'time' } | undefined {
    const ref = this.referenceMono ?? mono;
    if (mono - ref >= this.policy.afterMs) return this.goOffline(mono, 'time');
    return undefined;
  }

  private goOffline<R extends 'polls' | 'time'>(mono: number, reason: R): { type: 'offline'; reason: R } {
    this.offline = true;
    this.offlineSinceMono = mono;
    return { type: 'offline', reason };
  }
}
