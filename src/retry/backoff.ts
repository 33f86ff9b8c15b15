/**
 * The one back-off of the gateway: the ceiling doubles per attempt from `minMs` up to `maxMs`, and
 * the delay is drawn uniformly between a lower bound and the ceiling. The lower bound is
 * `ceiling × (1 − jitter)`, never below `floorMs` (default `minMs`): jitter 1 spreads over the
 * whole window (fleets reconnecting after a broker restart), 0.5 keeps to its upper half (device
 * servers after a power cut), 0.2 only shortens a little (polls of a dead slave, never later than
 * planned). Randomness is injectable so tests can pin the bounds.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
  /** Fraction of the ceiling the delay may fall short of it (0..1). */
  jitter: number;
  /** The delay never goes below this; default minMs. */
  floorMs?: number;
}

export function backoffDelay(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  // Capped exponent: 2^52 is far past any sane maxMs and keeps the arithmetic finite.
  const ceiling = Math.min(p.maxMs, p.minMs * 2 ** Math.min(Math.max(0, attempt), 52));
  const lower = Math.min(ceiling, Math.max(p.floorMs ?? p.minMs, ceiling * (1 - p.jitter)));
  const r = Math.min(Math.max(random(), 0), 1);
  return lower + r * (ceiling - lower);
}

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
    return backoffDelay(n + 1, { minMs: this.minMs, maxMs: this.maxMs, jitter: 0 });
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
    // Full jitter over [minMs, ceiling]: the ceiling is attempt 0 of a window that does not grow.
    return Math.round(backoffDelay(0, { minMs: ceiling, maxMs: ceiling, jitter: 1, floorMs: this.minMs }, this.random));
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
