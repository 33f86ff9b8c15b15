import type { GatewayFacade } from '../api/gateway-facade.js';
import type { OutputTester } from '../outputs/gateway-outputs.js';
import { toActiveAlarm } from '../alarms/active-alarm.js';
import type { DeviceCommands } from '../devices/device-commands.js';
import type { AlarmDesk } from '../alarms/desk.js';
import type { HearthConfig, RemoteConfig } from '../config/types.js';
import { applySchemaDefaults } from '../config/defaults.js';
import { remoteSchema } from '../config/sections/platform-codecs.js';
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
import { TrustedKeys } from '../signing/keys.js';
import { CommandGate, type GateCounters } from './command-gate.js';
import { SeenStore } from './seen-store.js';
import { SoftwareUpdater } from './update/software-updater.js';
import { UpdateReporter } from './update/update-report.js';
import { version } from '../version.js';

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
  /** The gateway's audit log (shared with the console and the centres); default: its own on the state directory. */
  audit?: AuditLog;
  /** Publishes a command result outside a command's own handling: the final outcome of a software update. */
  sendResult?: (command: PlatformCommand, result: CommandResult) => Promise<boolean>;
  /** Device commands (trip, close, self-test), run with the same rules as from the console. */
  commands?: Pick<DeviceCommands, 'run'>;
  /** The running version (default: the package's). */
  version?: string;
}

/** The `remote:` section of a config that has none: the schema's own defaults (off), written once there. */
export const REMOTE_DEFAULTS: RemoteConfig = schemaDefaults();

function schemaDefaults(): RemoteConfig {
  const section = {};
  applySchemaDefaults(remoteSchema, section);
  return section as RemoteConfig;
}

/** Refusals at the gate are summed into one audit entry per this period, not one line each. */
const REFUSAL_AUDIT_EVERY_MS = 60_000;

/**
 * Remote management as a daemon component: the command dispatcher the uplink hands commands to,
 * the config version the uplink reports, and the probation of a remotely applied config.
 */
export class RemoteManagement {
  private readonly configs: RemoteConfigManager | undefined;
  private readonly dispatcher: RemoteCommandDispatcher | undefined;
  private readonly seen: SeenStore;
  private readonly gate: CommandGate;
  private readonly audit: AuditLog;
  private readonly source: string;
  private readonly updater: SoftwareUpdater;
  private reporter: UpdateReporter | undefined;
  private refusalTimer: NodeJS.Timeout | undefined;
  private refusalsAudited = { rateLimited: 0, queueFull: 0 };
  private version: string | undefined;

  constructor(private readonly options: RemoteManagementOptions) {
    const { config, logger, now } = options;
    const remote = config.remote ?? REMOTE_DEFAULTS;
    if (config.sourcePath !== undefined) {
      this.configs = new RemoteConfigManager({
        store: new ConfigStore(config.sourcePath),
        rollbackAfterMs: remote.rollbackAfterMs,
        delegated: remote.delegate,
        now,
        restart: options.restart,
        logger,
      });
      try {
        this.version = this.configs.version();
      } catch (err) {
        logger.warn({ err }, 'remote: cannot read the config file for its version');
      }
    }
    const files = { logger, ...(options.faults ? { faults: options.faults } : {}) };
    // Capacity above what the rate limit can admit within twice the window, so it is never full in practice.
    const capacity = Math.max(256, Math.ceil((remote.ratePerMinute * 2 * remote.replayWindowMs) / 60_000) + 64);
    this.seen = new SeenStore(config.gateway.stateDir, { capacity, ...files });
    this.gate = new CommandGate({ ratePerMinute: remote.ratePerMinute });
    this.audit = options.audit ?? new AuditLog(config.gateway.stateDir, files);
    this.source = `platform:${config.platform.codec}`;
    this.updater = new SoftwareUpdater({
      stateDir: config.gateway.stateDir,
      version: options.version ?? version(),
      activeFireAlarms: () => options.desk.activeFireAlarms(),
      now,
      logger,
    });
    this.dispatcher = new RemoteCommandDispatcher({
      config: remote,
      keys: new TrustedKeys(remote.keys),
      gatewayId: config.gateway.id,
      actions: this.actions(),
      audit: this.audit,
      seen: this.seen,
      source: this.source,
      now,
      logger,
    });
  }

  /** What the gate admitted and refused since start (metrics). */
  gateCounters(): Readonly<GateCounters> {
    return this.gate.counters;
  }

  /** Starts the probation watch of a remotely applied config (call once the uplink exists). */
  start(reachedPlatform: () => boolean): void {
    this.configs?.watchProbation(reachedPlatform);
    const o = this.options;
    this.reporter = new UpdateReporter({
      stateDir: o.config.gateway.stateDir,
      version: o.version ?? version(),
      reachedPlatform,
      sendResult: o.sendResult,
      audit: (e) => this.audit.append(e),
      now: o.now,
      logger: o.logger,
    });
    this.reporter.start();
    this.refusalTimer = setInterval(() => this.auditRefusals(), REFUSAL_AUDIT_EVERY_MS);
    this.refusalTimer.unref();
  }

  async stop(): Promise<void> {
    this.configs?.stop();
    this.reporter?.stop();
    clearInterval(this.refusalTimer);
    this.auditRefusals();
    await this.gate.drained();
    await this.seen.close();
  }

  configVersion(): string | undefined {
    return this.version;
  }

  /**
   * The uplink's onCommand. The gate decides first, before any work is done for the command; an
   * admitted one is answered when it ran, a refused one only while the reply budget lasts. Never
   * throws into the MQTT client.
   */
  handle(command: PlatformCommand, reply: (result: CommandResult) => void): void {
    const dispatcher = this.dispatcher;
    if (dispatcher === undefined) return;
    const admission = this.gate.admit(() =>
      dispatcher
        .handle(command)
        .then(reply, (err: unknown) => {
          this.options.logger.error({ err }, 'remote: command failed unexpectedly');
          reply({ ok: false, code: 'internal', message: 'internal error' });
        })
        .catch((err: unknown) => this.options.logger.error({ err, id: command.id }, 'remote: the answer could not be sent')),
    );
    if (admission.admitted || !admission.answer) return;
    const message = admission.reason === 'rate_limited' ? 'too many commands; try again later' : 'too many commands waiting; try again later';
    try {
      reply({ ok: false, code: admission.reason, message });
    } catch (err) {
      this.options.logger.error({ err, id: command.id }, 'remote: the refusal could not be sent');
    }
  }

  /** One audit entry for the refusals since the last one (a flood must not become a flood of fsyncs). */
  private auditRefusals(): void {
    const c = this.gate.counters;
    const rateLimited = c.rateLimited - this.refusalsAudited.rateLimited;
    const queueFull = c.queueFull - this.refusalsAudited.queueFull;
    if (rateLimited + queueFull === 0) return;
    this.refusalsAudited = { rateLimited: c.rateLimited, queueFull: c.queueFull };
    const now = this.options.now();
    this.audit.append({
      at: now,
      by: this.source,
      command: '*',
      id: `refused-${now}`,
      params: { rateLimited, queueFull },
      outcome: 'rejected',
      code: 'rate_limited',
      message: `${rateLimited + queueFull} commands refused unread since the last entry (rate limit ${this.options.config.remote?.ratePerMinute ?? REMOTE_DEFAULTS.ratePerMinute}/min)`,
    });
    this.options.logger.warn({ rateLimited, queueFull }, 'remote: commands refused at the rate limit');
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
      // Loaded on use: nothing of the console's folder is resident in a gateway that never asks.
      commissioningReport: async () => ({ report: (await import('../api/commissioning-report.js')).buildReport(consoleFacade()) }),
      deviceCommand: async (deviceId, command, params, confirmed, by) => {
        if (o.commands === undefined) throw new HearthError('NOT_AVAILABLE', 'no device commands on this gateway');
        return { ...(await o.commands.run(deviceId, command, params, { via: 'remote', by, confirmed })) };
      },
      restart: o.restart,
      updateSoftware: (params, envelope, reply) => this.updater.update(params, envelope, reply),
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
