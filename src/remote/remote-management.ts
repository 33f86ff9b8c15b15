import type { GatewayFacade } from '../api/gateway-facade.js';
import type { OutputTester } from '../outputs/gateway-outputs.js';
import { toActiveAlarm } from '../alarms/active-alarm.js';
import type { AlarmDesk } from '../alarms/desk.js';
import { buildReport } from '../api/commissioning-report.js';
import type { HearthConfig } from '../config/types.js';
import type { DeviceRuntime } from '../devices/runtime.js';
import { HearthError } from '../errors.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { CommandResult, PlatformCommand } from '../uplink/codec.js';
import { AuditLog } from './audit-log.js';
import { ConfigStore } from './config-store.js';
import { RemoteCommandDispatcher } from './dispatcher.js';
import type { GatewayActions } from './gateway-actions.js';
import { RemoteConfigManager } from './remote-config.js';
import { ReplayGuard } from './replay-guard.js';

export interface RemoteManagementOptions {
  config: HearthConfig;
  logger: Logger;
  now: () => number;
  /** Ends the process for systemd to restart it (the run command's shutdown with EXIT_RESTART). */
  restart: (why: string) => void;
  /** The daemon's parts the actions use, read when a command needs them. */
  runtime: (deviceId: string) => DeviceRuntime | undefined;
  /** Acknowledge and silence act on the alarm desk directly: they work with the console off. */
  desk: AlarmDesk;
  /** Output tests, when the gateway has GPIO outputs. */
  outputs: OutputTester | undefined;
  /** The console's port, for the commissioning report (which needs its recent history). */
  consoleFacade: () => GatewayFacade | undefined;
  /** Faults of the audit log and the seen-ids file (`state:<file>`); default: not reported. */
  faults?: FaultReporter;
}

export const REMOTE_DEFAULTS = { enabled: false, allow: [], replayWindowMs: 300_000, rollbackAfterMs: 300_000 } as const;

/**
 * Remote management as a daemon component: the command dispatcher the uplink hands commands to,
 * the config version the uplink reports, and the probation of a remotely applied config.
 */
export class RemoteManagement {
  private readonly configs: RemoteConfigManager | undefined;
  private readonly dispatcher: RemoteCommandDispatcher | undefined;
  private readonly replay: ReplayGuard;
  private version: string | undefined;

  constructor(private readonly options: RemoteManagementOptions) {
    const { config, logger, now } = options;
    const remote = config.remote ?? { ...REMOTE_DEFAULTS, allow: [] };
    if (config.sourcePath !== undefined) {
      this.configs = new RemoteConfigManager({ store: new ConfigStore(config.sourcePath), rollbackAfterMs: remote.rollbackAfterMs, now, restart: options.restart, logger });
      try {
        this.version = this.configs.version();
      } catch (err) {
        logger.warn({ err }, 'remote: cannot read the config file for its version');
      }
    }
    const files = { logger, ...(options.faults ? { faults: options.faults } : {}) };
    this.replay = new ReplayGuard(config.gateway.stateDir, remote.replayWindowMs, files);
    this.dispatcher = new RemoteCommandDispatcher({
      config: remote,
      actions: this.actions(),
      audit: new AuditLog(config.gateway.stateDir, files),
      replay: this.replay,
      source: `platform:${config.platform.codec}`,
      now,
      logger,
    });
  }

  /** Starts the probation watch of a remotely applied config (call once the uplink exists). */
  start(reachedPlatform: () => boolean): void {
    this.configs?.watchProbation(reachedPlatform);
  }

  async stop(): Promise<void> {
    this.configs?.stop();
    await this.replay.close();
  }

  configVersion(): string | undefined {
    return this.version;
  }

  /** The uplink's onCommand: answer every command, never throw into the MQTT client. */
  handle(command: PlatformCommand, reply: (result: CommandResult) => void): void {
    if (this.dispatcher === undefined) return;
    void this.dispatcher
      .handle(command)
      .then(reply, (err: unknown) => {
        this.options.logger.error({ err }, 'remote: command failed unexpectedly');
        reply({ ok: false, code: 'internal', message: 'internal error' });
      })
      .catch((err: unknown) => this.options.logger.error({ err, id: command.id }, 'remote: the answer could not be sent'));
  }

  private actions(): GatewayActions {
    const o = this.options;
    const consoleFacade = (): GatewayFacade => {
      const p = o.consoleFacade();
      if (p === undefined) throw new HearthError('NOT_AVAILABLE', 'needs the console (api.enabled) on this gateway');
      return p;
    };
    const actions: GatewayActions = {
      readDevice: async (deviceId) => {
        const runtime = o.runtime(deviceId);
        if (runtime === undefined) throw new HearthError('NOT_FOUND', `no device '${deviceId}' on this gateway`);
        const outcome = await runtime.pollOnce();
        return { outcome: outcome as unknown as Record<string, unknown>, device: runtime.snapshot() as unknown as Record<string, unknown> };
      },
      acknowledgeAlarm: async (eventId, by) => ({ alarm: toActiveAlarm(onDesk(() => o.desk.acknowledge(eventId, { by, via: 'remote' }))) }),
      silenceAlarm: async (eventId, minutes, by) => ({ alarm: toActiveAlarm(onDesk(() => o.desk.silence(eventId, minutes, { by, via: 'remote' }))) }),
      testOutput: async (outputId, durationMs) => {
        const outputs = o.outputs;
        if (outputs === undefined || outputs.list().length === 0) throw new HearthError('NOT_AVAILABLE', 'no outputs configured on this gateway');
        if (!outputs.list().some((x) => x.id === outputId)) throw new HearthError('NOT_FOUND', `no output '${outputId}'`);
        return { ...(await outputs.test(outputId, durationMs)) };
      },
      commissioningReport: async () => ({ report: buildReport(consoleFacade()) }),
      restart: o.restart,
    };
    if (this.configs !== undefined) {
      const configs = this.configs;
      actions.applyConfig = (change, by) => configs.apply(change, by);
    }
    return actions;
  }
}

/** The desk's "no such alarm" as the remote commands' NOT_FOUND result code. */
function onDesk<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ALARM_NOT_FOUND') throw new HearthError('NOT_FOUND', (err as Error).message);
    throw err;
  }
}
