import type { Logger } from '../log/logger.js';
import type { CommandResult } from '../uplink/codec.js';
import { prepareChange, type ConfigChange } from './config-change.js';
import { configVersion, type ConfigStore, type PendingChange } from './config-store.js';

export interface RemoteConfigOptions {
  store: ConfigStore;
  rollbackAfterMs: number;
  /** Locally owned sections the local config hands over (remote.delegate). */
  delegated?: readonly string[];
  now: () => number;
  /** Restarts the service onto the config now on disk (exit; systemd starts it again). */
  restart: (why: string) => void;
  logger: Logger;
  /** Delay between answering and restarting, so the result reaches the platform. Default 500 ms. */
  restartDelayMs?: number;
  /** How often the probation checks the platform connection. Default 1000 ms. */
  checkEveryMs?: number;
}

/**
 * Remote configuration: validate like the file, write atomically with the running config kept as
 * last-good, restart onto it, and keep it only if the gateway reaches the platform again within
 * `rollbackAfterMs`; otherwise put last-good back and restart again. The probation survives the
 * restart (a marker beside the config), so a config that keeps the gateway from starting at all is
 * rolled back by the next start (`ConfigStore.recover`).
 *
 * Applying = exiting for systemd to restart (Restart=always): every component, handle, GPIO line
 * and serial port is released by the process ending, and the new config is loaded by the same
 * code path as at boot. An in-process reload would have to prove that for every component.
 */
export class RemoteConfigManager {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RemoteConfigOptions) {}

  /** Version of the config the gateway runs (reported upstream in every status message). */
  version(): string {
    return configVersion(this.options.store.read());
  }

  async apply(change: ConfigChange, by: string): Promise<CommandResult> {
    const { store, now } = this.options;
    const current = store.read();
    const prepared = prepareChange(current, change, store.path, this.options.delegated ?? []);
    if (!prepared.ok) return { ok: false, code: 'config_invalid', message: prepared.errors.join('\n'), data: { errors: prepared.errors } };
    const version = configVersion(prepared.text);
    if (version === configVersion(current)) return { ok: true, code: 'unchanged', data: { version } };
    if (store.pending() !== undefined) return { ok: false, code: 'busy', message: 'a previous remote change is still on probation' };
    const t = now();
    const pending = store.apply(prepared.text, t + this.options.rollbackAfterMs, by, t);
    this.options.logger.warn({ version, previous: pending.previousVersion, by, rollbackBy: pending.deadline }, 'remote config written; restarting onto it');
    setTimeout(() => this.options.restart(`remote config ${version}`), this.options.restartDelayMs ?? 500).unref();
    return { ok: true, code: 'ok', data: { version, previousVersion: pending.previousVersion, rollbackBy: pending.deadline } };
  }

  /**
   * After start: if the running config is on probation, confirm it once `reachedPlatform()` turns
   * true, or roll back and restart at the deadline.
   */
  watchProbation(reachedPlatform: () => boolean): PendingChange | undefined {
    const { store, now, logger } = this.options;
    const pending = store.pending();
    if (pending === undefined || pending.version !== this.version()) return undefined;
    logger.warn({ version: pending.version, deadline: pending.deadline }, 'running a remotely applied config on probation');
    const check = () => {
      try {
        if (reachedPlatform()) {
          this.stop();
          store.confirm();
          logger.info({ version: pending.version }, 'remote config confirmed: the platform was reached');
        } else if (now() >= pending.deadline) {
          this.stop();
          store.rollback();
          logger.error({ version: pending.version, restored: pending.previousVersion }, 'remote config did not reach the platform in time: rolled back, restarting');
          this.options.restart(`rollback of remote config ${pending.version}`);
        }
      } catch (err) {
        logger.error({ err }, 'remote config probation check failed');
      }
    };
    this.timer = setInterval(check, this.options.checkEveryMs ?? 1000);
    this.timer.unref();
    check();
    return pending;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
