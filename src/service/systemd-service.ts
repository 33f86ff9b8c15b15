import type { PollProgress } from '../devices/scheduler.js';
import type { Logger } from '../log/logger.js';
import { createNotifier, type HelperCandidates, DEFAULT_HELPERS, type Notifier } from './notifier.js';
import { ServiceWatchdog, type WatchdogDecision } from './watchdog.js';

export interface SystemdServiceOptions {
  logger: Logger;
  /** Poll scheduler progress (Daemon.pollProgress). */
  progress: () => PollProgress | undefined;
  stallAfterMs: number;
  mono?: () => number;
  /** Worst tolerated event-loop lag; default from WatchdogSec (see watchdog.ts). */
  maxLagMs?: number;
  /** Lag probe period (default 250 ms). */
  probeMs?: number;
  env?: NodeJS.ProcessEnv;
  helpers?: HelperCandidates;
  onDecision?: (d: WatchdogDecision) => void;
}

/**
 * The daemon's side of a Type=notify unit: READY=1 once started, a health-gated watchdog, and
 * STOPPING=1 at shutdown. Outside systemd (no NOTIFY_SOCKET) every call is a no-op.
 */
export class SystemdService {
  private readonly notifier: Notifier;
  private readonly watchdog: ServiceWatchdog | undefined;

  constructor(options: SystemdServiceOptions) {
    const env = options.env ?? process.env;
    this.notifier = createNotifier(options.logger, env, options.helpers ?? DEFAULT_HELPERS);
    const watchdogMs = watchdogIntervalMs(env);
    if (this.notifier.enabled && watchdogMs !== undefined) {
      const wd: ConstructorParameters<typeof ServiceWatchdog>[0] = {
        notifier: this.notifier,
        logger: options.logger,
        watchdogMs,
        progress: options.progress,
        stallAfterMs: options.stallAfterMs,
      };
      if (options.mono) wd.mono = options.mono;
      if (options.maxLagMs !== undefined) wd.maxLagMs = options.maxLagMs;
      if (options.probeMs !== undefined) wd.probeMs = options.probeMs;
      if (options.onDecision) wd.onDecision = options.onDecision;
      this.watchdog = new ServiceWatchdog(wd);
    }
  }

  get notifying(): boolean {
    return this.notifier.enabled;
  }

  /** After Daemon.start() resolved: outbox open, buses open, polling started. */
  ready(status: string): void {
    this.notifier.send({ READY: '1', STATUS: status, MAINPID: String(process.pid) });
    if (this.watchdog) {
      this.watchdog.check();
      this.watchdog.start();
    }
  }

  status(text: string): void {
    this.notifier.send({ STATUS: text });
  }

  /** First thing at shutdown: systemd stops expecting pings and shows the unit as deactivating. */
  stopping(why: string): void {
    this.watchdog?.stop();
    this.notifier.send({ STOPPING: '1', STATUS: `stopping (${why})` });
  }

  async close(): Promise<void> {
    this.watchdog?.stop();
    await this.notifier.close();
  }
}

/**
 * systemd's watchdog period from WATCHDOG_USEC, if it is meant for this process (WATCHDOG_PID,
 * when set, names the process systemd expects the pings from).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.round(usec / 1000));
}
