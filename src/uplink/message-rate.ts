/**
 * At most `perSec` messages in any 1000 ms window, over everything the session publishes on one
 * connection (IoTDA: 50 upstream messages a second per connection, and excess is throttled by the
 * platform, not queued). A sliding window rather than a token bucket: a bucket lets a full burst
 * plus a second's refill through within one second, which is what the platform counts.
 *
 * Events go first within the budget: telemetry and sub-device announcements leave `reserve` slots
 * free, so an alarm committed during a backlog drain finds room at once; events take the last slots.
 */
export class MessageRate {
  private readonly sent: number[] = [];
  /** Slots only events may use: a tenth of the budget, at least one. */
  readonly reserve: number;

  constructor(
    readonly perSec: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(perSec) || perSec < 1) throw new RangeError(`message rate must be a positive integer, got ${perSec}`);
    this.reserve = perSec > 1 ? Math.max(1, Math.floor(perSec / 10)) : 0;
  }

  /** Messages that may still go in the current window (negative after messages that had to go anyway). */
  free(): number {
    this.expire();
    return this.perSec - this.sent.length;
  }

  /** A message went out. */
  note(): void {
    this.sent.push(this.now());
  }

  /** Milliseconds until at least `room` messages may go. */
  msUntil(room = 1): number {
    this.expire();
    const over = this.sent.length - this.perSec + room;
    if (over <= 0) return 0;
    return Math.max(1, this.sent[over - 1]! + 1000 - this.now());
  }

  private expire(): void {
    const from = this.now() - 1000;
    while (this.sent.length > 0 && this.sent[0]! <= from) this.sent.shift();
  }
}
