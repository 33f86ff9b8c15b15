/**
 * Counts failed authentication attempts per client address in a sliding window. After `max`
 * failures the address is refused (429) until the oldest failure leaves the window, for any token
 * or login it sends, right or wrong: guessing the token from the local network becomes too slow to
 * matter, and a right guess looks like a wrong one. Requests with no credentials at all (a browser
 * opening the console) are not failures. The auth still serves a session made before the lockout
 * (src/api/auth.ts): a neighbour behind the same NAT does not lock out the installer.
 */
export interface FailureLimit {
  max: number;
  windowMs: number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: FailureLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until this address may try again; 0 when it may try now. */
  blockedForMs(ip: string): number {
    const times = this.prune(ip);
    if (times.length < this.limit.max) return 0;
    return Math.max(1, times[0]! + this.limit.windowMs - this.now());
  }

  fail(ip: string): void {
    const times = this.prune(ip);
    times.push(this.now());
    this.failures.set(ip, times);
    // Bounded memory under a scan from many addresses: forget the stalest entries.
    if (this.failures.size > 10_000) {
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
  }

  succeed(ip: string): void {
    this.failures.delete(ip);
  }

  private prune(ip: string): number[] {
    const cutoff = this.now() - this.limit.windowMs;
    const times = (this.failures.get(ip) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.failures.delete(ip);
    return times;
  }
}
