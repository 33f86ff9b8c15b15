import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { UplinkSource } from '../outbox/types.js';

/** How often parked records are retried on a link that stays up. */
export const PARKED_RETRY_MS = 300_000;

/**
 * Gives parked records another chance: at every new connection and every `everyMs` on a link that
 * stays up. Where the outbox can, one parked record goes first as a probe (taking turns through the
 * parked ones); only when the platform takes it do all the others follow. A platform that still
 * refuses them then costs one message per period, not the whole parked backlog again, which on a
 * metered 4G plan matters.
 */
export class ParkedRetry {
  private timer: NodeJS.Timeout | undefined;
  private probe: number | undefined;
  private lastProbe = 0;

  constructor(
    private readonly source: UplinkSource,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** A new connection: retry now, then periodically while it lasts. */
  start(): void {
    this.stop();
    this.retry();
    if (this.everyMs > 0 && Number.isFinite(this.everyMs)) {
      this.timer = setInterval(() => this.retry(), this.everyMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.probe = undefined;
  }

  /** The broker took these records: if the probe was among them, every parked record follows. */
  accepted(ids: readonly number[]): void {
    if (this.probe === undefined || !ids.includes(this.probe)) return;
    this.probe = undefined;
    this.unparkAll('a parked record was accepted');
  }

  /** These records were parked again: if the probe was among them, wait for the next period. */
  parkedAgain(ids: readonly number[]): void {
    if (this.probe !== undefined && ids.includes(this.probe)) this.probe = undefined;
  }

  /** The record id out as a probe, if any (for tests and diagnostics). */
  probing(): number | undefined {
    return this.probe;
  }

  private retry(): void {
    try {
      if (this.source.unparkOne === undefined) {
        this.unparkAll('retrying parked records');
        return;
      }
      // A probe from the last period still unanswered (e.g. held back by a rate limit): take another.
      const id = this.source.unparkOne(this.lastProbe);
      if (id === undefined) return;
      this.probe = id;
      this.lastProbe = id;
      this.logger.info({ record: id }, 'uplink: one parked record retried as a probe');
    } catch (err) {
      this.logger.error({ err }, 'uplink: cannot unpark records');
    }
  }

  private unparkAll(why: string): void {
    try {
      const n = this.source.unparkAll?.() ?? 0;
      if (n > 0) this.logger.info({ records: n }, `uplink: ${why}; parked records returned to the queue`);
    } catch (err) {
      this.logger.error({ err }, 'uplink: cannot unpark records');
    }
  }
}
