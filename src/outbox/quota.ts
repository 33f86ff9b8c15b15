import type { Logger } from './logger.js';

/**
 * Watches the outbox size against its quota. For now it only warns; eviction of the oldest
 * telemetry (never events) with a "dropped" counter sent upstream plugs in here later.
 * Checks at most every `everyMs` so a busy outbox does not stat its files on every commit.
 */
export class QuotaWatch {
  private lastCheck = -Infinity;
  private lastWarn = -Infinity;

  constructor(
    private readonly quotaMb: number,
    private readonly bytesOnDisk: () => number,
    private readonly logger: Logger,
    private readonly everyMs = 10_000,
    private readonly warnEveryMs = 60_000,
  ) {}

  check(now = performance.now()): void {
    if (now - this.lastCheck < this.everyMs) return;
    this.lastCheck = now;
    const bytes = this.bytesOnDisk();
    if (bytes <= this.quotaMb * 1024 * 1024) return;
    if (now - this.lastWarn < this.warnEveryMs) return;
    this.lastWarn = now;
    this.logger.warn({ bytes, quotaMb: this.quotaMb }, 'outbox is over its disk quota (eviction not implemented yet)');
  }
}
