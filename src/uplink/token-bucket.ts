/**
 * A token bucket: `ratePerSec` tokens a second, at most `burst` saved up. The drain spends one token
 * per reading it publishes, so a week's backlog goes out at a pace the platform's per-device
 * limits accept. Events never wait for tokens (an alarm must not queue behind a rate limit).
 * The balance may go negative (a batch is taken whole); the drain then waits until it is back.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSec > 0) || !(burst >= 1)) throw new RangeError(`token bucket: need rate > 0 and burst >= 1, got ${ratePerSec}, ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  available(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSec) / 1000);
    this.last = t;
    return this.tokens;
  }

  take(n: number): void {
    this.available();
    this.tokens -= n;
  }

  /** Milliseconds until at least one token is available. */
  msUntilOne(): number {
    const have = this.available();
    return have >= 1 ? 0 : ((1 - have) * 1000) / this.ratePerSec;
  }
}
