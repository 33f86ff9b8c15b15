import { TokenBucket } from '../uplink/token-bucket.js';

/**
 * What stands between a broker anyone may publish to and the gateway's event loop: commands from
 * one source are admitted at a sustained rate with a small burst, and at most `queueMax` wait to
 * run (they run one at a time). Everything else is refused before any work is done for it (no
 * signature check, no disk write), and counted. Refusals are answered only while a small reply
 * budget lasts, so a flood cannot turn the gateway into a publisher of refusals either.
 */
export type Refusal = 'rate_limited' | 'queue_full';

export interface GateCounters {
  admitted: number;
  rateLimited: number;
  queueFull: number;
  /** Refusals not answered (the reply budget was spent). */
  unanswered: number;
}

export interface CommandGateOptions {
  ratePerMinute: number;
  queueMax?: number;
  now?: () => number;
}

export class CommandGate {
  readonly counters: GateCounters = { admitted: 0, rateLimited: 0, queueFull: 0, unanswered: 0 };
  private readonly bucket: TokenBucket;
  private readonly replies: TokenBucket;
  private readonly queueMax: number;
  private waiting = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(options: CommandGateOptions) {
    const perSecond = options.ratePerMinute / 60;
    this.bucket = new TokenBucket(perSecond, Math.max(5, Math.ceil(options.ratePerMinute / 10)), options.now);
    this.replies = new TokenBucket(2, 10, options.now);
    this.queueMax = options.queueMax ?? 16;
  }

  /** Commands admitted and not yet finished. */
  get pending(): number {
    return this.waiting;
  }

  /**
   * Admits `run` (it runs after the ones before it) or refuses it. A refusal says whether it may
   * still be answered (the reply budget).
   */
  admit(run: () => Promise<void>): { admitted: true } | { admitted: false; reason: Refusal; answer: boolean } {
    let reason: Refusal | undefined;
    if (this.waiting >= this.queueMax) reason = 'queue_full';
    else if (this.bucket.available() < 1) reason = 'rate_limited';
    if (reason !== undefined) {
      if (reason === 'queue_full') this.counters.queueFull++;
      else this.counters.rateLimited++;
      const answer = this.replies.available() >= 1;
      if (answer) this.replies.take(1);
      else this.counters.unanswered++;
      return { admitted: false, reason, answer };
    }
    this.bucket.take(1);
    this.counters.admitted++;
    this.waiting++;
    this.chain = this.chain.then(run).catch(() => undefined).finally(() => {
      this.waiting--;
    });
    return { admitted: true };
  }

  /** Resolves when every admitted command has finished. */
  drained(): Promise<void> {
    return this.chain;
  }
}
