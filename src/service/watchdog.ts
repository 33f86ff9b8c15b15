import type { PollProgress } from '../devices/scheduler.js';
import type { Logger } from '../log/logger.js';
import { LoopLagProbe } from './loop-lag.js';
import type { Notifier } from './notifier.js';
import { judgePolling } from './poll-health.js';

export interface WatchdogOptions {
  notifier: Notifier;
  logger: Logger;
  /** systemd's WatchdogSec in ms (from WATCHDOG_USEC). Pets go out every half of it. */
  watchdogMs: number;
  /** Worst tolerated event-loop lag in a pet window. Default: a third of watchdogMs, 1–5 s. */
  maxLagMs?: number;
  /** Progress of the poll scheduler; undefined until the devices started. */
  progress: () => PollProgress | undefined;
  /** A stall verdict after this long without a settled poll (see poll-health.ts). */
  stallAfterMs: number;
  /** Monotonic time on the scheduler's clock. Default performance.now (SystemClock.mono). */
  mono?: () => number;
  /** Lag probe period. Default 250 ms. */
  probeMs?: number;
  /** Each decision, for logs and tests. */
  onDecision?: (d: WatchdogDecision) => void;
}

export interface WatchdogDecision {
  healthy: boolean;
  lagMs: number;
  reasons: string[];
}

/**
 * Sends WATCHDOG=1 only while the gateway is really working: the event loop answers in time AND
 * the poll scheduler makes progress. A process that is alive but no longer polls (a hung promise,
 * timers that stopped) is exactly what a liveness ping must not cover up. When a check fails the
 * pet is withheld, systemd's WatchdogSec runs out, it kills the service (SIGABRT) and restarts it.
 * A failure is logged once per episode, not at every pet.
 */
export class ServiceWatchdog {
  private readonly probe: LoopLagProbe;
  private readonly maxLagMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastHealthy = true;
  /** When the pet timer is due next: its own lateness is lag too. */
  private nextPetAt = 0;

  constructor(private readonly options: WatchdogOptions) {
    this.probe = new LoopLagProbe(options.probeMs ?? 250);
    this.maxLagMs = options.maxLagMs ?? Math.min(5000, Math.max(1000, Math.round(options.watchdogMs / 3)));
  }

  get petIntervalMs(): number {
    return Math.max(50, Math.floor(this.options.watchdogMs / 2));
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.probe.start();
    this.nextPetAt = performance.now() + this.petIntervalMs;
    this.timer = setInterval(() => this.check(), this.petIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.probe.stop();
  }

  /** One decision: pet or withhold. Public so the first pet can go out right at READY. */
  check(): WatchdogDecision {
    const now = performance.now();
    const ownLag = this.timer !== undefined ? Math.max(0, now - this.nextPetAt) : 0;
    this.nextPetAt = now + this.petIntervalMs;
    const lagMs = Math.round(Math.max(this.probe.take(), ownLag));
    const reasons: string[] = [];
    if (lagMs > this.maxLagMs) reasons.push(`event loop lag ${lagMs} ms (limit ${this.maxLagMs} ms)`);
    const polling = judgePolling(this.options.progress(), (this.options.mono ?? performance.now.bind(performance))(), this.options.stallAfterMs);
    if (!polling.healthy) reasons.push(polling.detail);
    const decision: WatchdogDecision = { healthy: reasons.length === 0, lagMs, reasons };
    if (decision.healthy) this.options.notifier.send({ WATCHDOG: '1' });
    if (decision.healthy !== this.lastHealthy) {
      if (decision.healthy) this.options.logger.info('watchdog: healthy again, pinging systemd');
      else this.options.logger.error({ reasons }, 'watchdog: unhealthy, withholding WATCHDOG=1 (systemd will restart the service if this persists)');
      this.lastHealthy = decision.healthy;
    }
    this.options.onDecision?.(decision);
    return decision;
  }
}
