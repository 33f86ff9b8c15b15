import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Priority } from '../outbox/types.js';
import { ReconnectBackoff } from '../retry/backoff.js';

/**
 * While fire alarms or other events wait, reconnect attempts are at most this far apart (jittered,
 * never below reconnectMinMs): GB 26875.1-2011 §4.1.2.1 gives a fire alarm 10 s from detection to
 * the monitoring centre. An idle gateway keeps the long fleet-friendly backoff (reconnectMaxMs).
 */
export const URGENT_RECONNECT_MAX_MS = 3000;

export interface ReconnectScheduleOptions {
  minMs: number;
  maxMs: number;
  urgentMaxMs: number;
  random?: () => number;
  /** Fire alarms or other events wait for the platform. */
  eventsWaiting: () => boolean;
  /** Makes the next connection attempt. */
  attempt: () => void;
  logger: Logger;
}

/**
 * When the next connection attempt happens. Idle: jittered exponential backoff up to maxMs, so a
 * fleet does not come back in lockstep after a broker restart. Events waiting: the same backoff
 * capped at urgentMaxMs; and an event committed while a longer wait is pending shortens that wait.
 */
export class ReconnectSchedule {
  private readonly backoff: ReconnectBackoff;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() when the pending attempt is due. */
  private dueAt: number | undefined;

  constructor(private readonly options: ReconnectScheduleOptions) {
    this.backoff = new ReconnectBackoff(options.minMs, options.maxMs, options.random);
  }

  /** After a failed or lost connection. Does nothing while an attempt is pending. */
  schedule(): void {
    if (this.timer !== undefined) return;
    const urgent = this.options.eventsWaiting();
    const delay = urgent ? this.backoff.next(this.options.urgentMaxMs) : this.backoff.next();
    this.options.logger.info({ delayMs: delay, attempt: this.backoff.attempts(), urgent }, 'uplink: reconnecting');
    this.arm(delay);
  }

  /** An event was committed: a pending wait longer than urgentMaxMs is cut to a jittered urgent one. */
  hurry(priority: Priority): void {
    if (this.timer === undefined || this.dueAt === undefined) return;
    const remaining = this.dueAt - performance.now();
    if (remaining <= this.options.urgentMaxMs) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const delay = this.backoff.jitter(this.options.urgentMaxMs);
    this.options.logger.info({ delayMs: delay, insteadOfMs: Math.round(remaining), priority }, 'uplink: an alarm or event waits; reconnecting sooner');
    this.arm(delay);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = undefined;
  }

  /** After a successful connection. */
  reset(): void {
    this.backoff.reset();
  }

  /** Attempts since the last successful connection. */
  attempts(): number {
    return this.backoff.attempts();
  }

  /** Milliseconds until the pending attempt; null when none is pending. */
  nextAttemptInMs(): number | null {
    return this.dueAt === undefined ? null : Math.max(0, Math.round(this.dueAt - performance.now()));
  }

  private arm(delay: number): void {
    this.dueAt = performance.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = undefined;
      this.options.attempt();
    }, delay);
  }
}
