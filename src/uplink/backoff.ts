/**
 * Reconnect delays: exponential growth with full jitter. Attempt n waits a uniformly random time
 * in [minMs, min(maxMs, minMs * 2^(n+1))]. The randomness is the point: after a broker restart a
 * whole fleet of gateways must not reconnect in lockstep, so even the first retry is spread over
 * [minMs, 2 * minMs]. `random` is injectable so tests can pin the bounds.
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!(minMs > 0) || !(maxMs >= minMs)) throw new RangeError(`backoff: need 0 < minMs <= maxMs, got ${minMs}, ${maxMs}`);
  }

  /** The ceiling of the jitter window for attempt `n` (0-based). */
  ceiling(n: number): number {
    // Capped exponent: 2^31 is far past any sane maxMs and keeps the arithmetic finite.
    return Math.min(this.maxMs, this.minMs * 2 ** Math.min(n + 1, 31));
  }

  /**
   * The delay before the next attempt; each call counts one attempt. `capMs` lowers the ceiling
   * (never below minMs), e.g. to keep attempts a few seconds apart while alarms wait.
   */
  next(capMs = Infinity): number {
    const ceiling = Math.max(this.minMs, Math.min(this.ceiling(this.attempt), capMs));
    this.attempt++;
    return this.draw(ceiling);
  }

  /** A random delay in [minMs, min(capMs, maxMs)] (at least minMs) that counts no attempt. */
  jitter(capMs: number): number {
    return this.draw(Math.max(this.minMs, Math.min(this.maxMs, capMs)));
  }

  private draw(ceiling: number): number {
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(this.minMs + r * (ceiling - this.minMs));
  }

  /** After a successful connection. */
  reset(): void {
    this.attempt = 0;
  }

  /** Attempts since the last reset. */
  attempts(): number {
    return this.attempt;
  }
}
