import type { Logger } from '../log/logger.js';

export interface RestartGateOptions {
  /** Fire alarms active now (Daemon.activeFireAlarms). */
  activeFireAlarms: () => number;
  /** The restart itself (the run command's stop with exit 75). */
  restart: (why: string) => void;
  logger: Logger;
  /** How often a deferred restart checks again (default 1 s). */
  checkMs?: number;
}

/**
 * A restart asked for by the platform (a remote config applied, the `restart` command) waits
 * while a fire alarm is active: the stop would switch the sounders off and the gap until the new
 * process polls again is several seconds. It goes ahead as soon as no fire alarm is active.
 * An operator's `systemctl stop` (SIGTERM) does not pass through here and is never deferred.
 */
export class RestartGate {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RestartGateOptions) {}

  /** True while a restart waits for the fire alarms to end. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  request(why: string): void {
    const { logger } = this.options;
    if (this.timer !== undefined) {
      logger.info({ why }, 'restart already waiting for the fire alarms to end');
      return;
    }
    const active = this.fireAlarms();
    if (active === 0) {
      this.options.restart(why);
      return;
    }
    logger.warn({ why, fireAlarms: active }, 'restart deferred: a fire alarm is active; restarting once none is (checked every second)');
    this.timer = setInterval(() => {
      if (this.fireAlarms() > 0) return;
      this.cancel();
      logger.info({ why }, 'no fire alarm active any more: restarting');
      this.options.restart(why);
    }, this.options.checkMs ?? 1000);
  }

  /** Drops a waiting restart (the process is stopping anyway). */
  cancel(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A failing count defers (logged): a restart can wait, a silenced sounder cannot be undone. */
  private fireAlarms(): number {
    try {
      return this.options.activeFireAlarms();
    } catch (err) {
      this.options.logger.error({ err }, 'cannot tell whether a fire alarm is active; the restart waits');
      return 1;
    }
  }
}
