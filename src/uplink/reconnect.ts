import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Priority } from '../outbox/types.js';
import { ReconnectBackoff } from '../retry/backoff.js';

/**
 * While fire alarms or other events wait, reconnect attempts are at most this far apart (jittered,
 * never below reconnectMinMs): GB 26875.1-2011 §4.1.2.1 gives a fire alarm 10 s from detection to
 * the monitoring centre. An idle gateway keeps the long fleet-friendly backoff (reconnectMaxMs).
 */
export const URGENT_RECONNECT_MAX_MS = 3000;

/**
 * At most this many successful connections per `maxMs` (reconnectMaxMs, 60 s by default): a link
 * that drops right after each connect must not turn into a flapping client (EMQX bans a client
 * after 15 connects a minute by default; a fleet doing that to a broker cluster is a stampede).
 */
export const MAX_CONNECTS_PER_WINDOW = 3;

/**
 * While a fire alarm waits, the limit is this instead: a broker that restarts again and again must
 * not hold a fire alarm for most of a minute (GB 26875.1: 10 s to the centre), and 10 connects a
 * minute stays below EMQX's default ban at 15. Only a fire alarm lifts it; other events do not.
 */
export const MAX_CONNECTS_PER_WINDOW_FIRE = 10;

export interface ReconnectScheduleOptions {
  minMs: number;
  maxMs: number;
  urgentMaxMs: number;
  random?: () => number;
  /** Fire alarms or other events wait for the platform. */
  eventsWaiting: () => boolean;
  /** A fire alarm waits for the platform (lifts the flap limit to MAX_CONNECTS_PER_WINDOW_FIRE). Default: never. */
  fireAlarmWaiting?: () => boolean;
  /** Makes the next connection attempt. */
  attempt: () => void;
  logger: Logger;
}

/**
 * When the next connection attempt happens.
 * - A connection was lost and nothing urgent waits: the first attempt is drawn from the whole
 *   window [minMs, maxMs]. A broker restart drops a city's gateways at the same instant; drawn
 *   from the exponential backoff's first window (1-2 s) they would all come back in one wave, drawn
 *   from [1 s, 60 s] they arrive spread over a minute.
 * - Further failed attempts: jittered exponential backoff up to maxMs.
 * - Events waiting: the same backoff capped at urgentMaxMs; an event committed while a longer wait
 *   is pending shortens that wait (GB 26875.1: 10 s from detection to the centre).
 * - Never more than MAX_CONNECTS_PER_WINDOW connections per maxMs (MAX_CONNECTS_PER_WINDOW_FIRE
 *   while a fire alarm waits): the attempt is put off until the oldest of them is maxMs old.
 */
export class ReconnectSchedule {
  private readonly backoff: ReconnectBackoff;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() when the pending attempt is due. */
  private dueAt: number | undefined;
  /** A connection succeeded since the last schedule(): the next one follows a lost connection. */
  private wasConnected = false;
  /** performance.now() of the recent successful connections, oldest first. */
  private readonly connects: number[] = [];

  constructor(private readonly options: ReconnectScheduleOptions) {
    this.backoff = new ReconnectBackoff(options.minMs, options.maxMs, options.random);
  }

  /** After a failed or lost connection. Does nothing while an attempt is pending. */
  schedule(): void {
    if (this.timer !== undefined) return;
    const urgent = this.options.eventsWaiting();
    const lost = this.wasConnected;
    this.wasConnected = false;
    let delay: number;
    if (urgent) delay = this.backoff.next(this.options.urgentMaxMs);
    else if (lost) delay = this.backoff.jitter(this.options.maxMs);
    else delay = this.backoff.next();
    const held = this.flapWait();
    if (held > delay) delay = held;
    this.options.logger.info({ delayMs: delay, attempt: this.backoff.attempts(), urgent, ...(held > 0 ? { flapHoldMs: held } : {}) }, 'uplink: reconnecting');
    this.arm(delay);
  }

  /** An event was committed: a pending wait longer than urgentMaxMs is cut to a jittered urgent one. */
  hurry(priority: Priority): void {
    if (this.timer === undefined || this.dueAt === undefined) return;
    const remaining = this.dueAt - performance.now();
    if (remaining <= this.options.urgentMaxMs) return;
    const delay = Math.max(this.backoff.jitter(this.options.urgentMaxMs), this.flapWait());
    if (delay >= remaining) return; // the flap limit holds it back anyway
    clearTimeout(this.timer);
    this.timer = undefined;
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
    this.wasConnected = true;
    const now = performance.now();
    this.connects.push(now);
    while (this.connects.length > MAX_CONNECTS_PER_WINDOW_FIRE) this.connects.shift();
  }

  /** How long the flap limit holds the next attempt back: 0 unless the recent connections used it up. */
  private flapWait(): number {
    const limit = this.options.fireAlarmWaiting?.() === true ? MAX_CONNECTS_PER_WINDOW_FIRE : MAX_CONNECTS_PER_WINDOW;
    if (this.connects.length < limit) return 0;
    const oldest = this.connects[this.connects.length - limit]!;
    return Math.max(0, Math.ceil(oldest + this.options.maxMs - performance.now()));
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
