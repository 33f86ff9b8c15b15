import { join } from 'node:path';
import type { Clock } from './clock/clock.js';
import { SystemClock } from './clock/clock.js';
import type { HearthConfig } from './config/types.js';
import type { DeviceProfiles } from './config/profiles.js';
import { modbusSource, type BusFactory, type ModbusSource } from '../drivers/modbus/source.js';
import { contactSource } from '../drivers/gpio-contact/source.js';
import { tagReaderSource } from '../drivers/tag-reader/source.js';
import type { Source, SourceContext } from './devices/source.js';
import { GpioAccess } from './bus/gpio/gpio-access.js';
import type { GpioBackend } from './bus/gpio/types.js';
import { GatewayOutputs } from './outputs/gateway-outputs.js';
import { AlarmPath } from './core/alarm-path.js';
import type { MonitoringCentres } from './core/monitoring-centres.js';
import { UplinkSession } from './uplink/session.js';
import { createCodec } from './uplink/codecs/create.js';
import type { Codec } from './uplink/codec.js';
import { generateKeyPairSync } from 'node:crypto';
import { publicKeyText } from './signing/keys.js';
import { disableMqttNumberCache } from './uplink/mqtt-packet-memory.js';
import { RemoteManagement } from './remote/remote-management.js';
import { AuditLog } from './remote/audit-log.js';
import { DeviceCommands } from './devices/device-commands.js';
import { MaintenanceSchedule, type MaintenanceState } from './devices/maintenance-schedule.js';
import { maintenanceEvent } from './devices/maintenance-event.js';
import { SmallState } from './storage/small-state.js';
import { systemTimers } from './clock/timers.js';
import { commandAuditEntry } from './remote/command-audit.js';
import type { ApiServer } from './api/server.js';
import type { GatewayParts } from './api/gateway-parts.js';
import type { Component } from './daemon/component.js';
import { demoComponents } from './daemon/demo-components.js';
import type { Logger } from './log/logger.js';
import { version } from './version.js';

export interface DaemonOptions {
  config: HearthConfig;
  /** Device id -> profile, as loaded with the config. */
  profiles: DeviceProfiles;
  logger: Logger;
  clock?: Clock;
  /** Builds a bus from its config; tests and benchmarks substitute simulated buses. */
  busFactory?: BusFactory;
  /** GPIO backend for inputs and outputs; default from config.gpio.backend. Tests pass a simulator. */
  gpioBackend?: GpioBackend;
  /** A remote command or config change needs a restart (the run command exits for systemd). Default: logged only. */
  requestRestart?: (why: string) => void;
}

/**
 * The composition root: builds every part from the config and lists the components in the order
 * they start (docs/architecture.md); stop is the reverse. The flow is one direction: sources →
 * rules → sink (alarm desk first, then the outbox) → uplink.
 */
export class Daemon {
  readonly clock: Clock;
  readonly path: AlarmPath;
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private readonly gpio: GpioAccess;
  private readonly outputs: GatewayOutputs;
  private readonly sources: Source[];
  private readonly modbus: ModbusSource;
  private readonly uplink: UplinkSession;
  /** The GB/T 26875.3 centre links, once started (only when the config lists centres). */
  private centres: MonitoringCentres | undefined;
  private readonly remote: RemoteManagement;
  private codec!: Codec;
  /**
   * The embedded broker's receiving centre signs its receipts with a key made for this run, as a
   * platform must (docs/uplink-native.md); trusted only when the platform is that embedded broker.
   */
  private readonly demoSigner = { kid: 'demo-receiving-centre', privateKey: generateKeyPairSync('ed25519').privateKey };
  /** The console, once its component started (only when `api.enabled`). */
  private api: ApiServer | undefined;
  /** One audit log for the centres' operations and the API's actions. */
  private readonly audit: AuditLog;
  /** Device commands (trip, close, self-test) for rules, the console and remote commands. */
  readonly commands: DeviceCommands;
  /** Scheduled device commands, once started (undefined without a maintenance section). */
  maintenance: MaintenanceSchedule | undefined;
  private readonly log: Logger;

  constructor(private readonly options: DaemonOptions) {
    disableMqttNumberCache();
    const { config, logger } = options;
    this.clock = options.clock ?? new SystemClock(config.gateway.clockSync);
    this.log = logger;
    // Rules' device commands (trip a breaker) run on the Modbus buses, which exist only further down.
    this.path = new AlarmPath(config, this.clock, logger, () => this.outputs.registry, (step, rule, e) => this.commands.runForRule(step, rule, e));
    const { faults, store, rules, turn } = this.path;
    this.gpio = new GpioAccess({ config: config.gpio, logger, faults, ...(options.gpioBackend ? { backend: options.gpioBackend } : {}) });
    this.outputs = new GatewayOutputs({ configs: config.gpio?.outputs ?? [], gpio: this.gpio, faults, logger });
    const ctx: SourceContext = { config, gatewayId: config.gateway.id, clock: this.clock, seq: store, rules, sink: turn, faults, logger, gpio: this.gpio };
    // The kinds of field device, in start order; each comes from its folder in drivers/.
    this.modbus = modbusSource(options.profiles, options.busFactory).create(ctx)!;
    const sources: (Source | undefined)[] = [this.modbus, contactSource.create(ctx), tagReaderSource.create(ctx)];
    this.sources = sources.filter((s): s is Source => s !== undefined);
    this.uplink = this.createUplink();
    this.audit = new AuditLog(config.gateway.stateDir, { faults, logger });
    this.commands = new DeviceCommands({
      devices: config.devices,
      profiles: options.profiles,
      bus: (id) => this.modbus.bus(id),
      audit: (r) => this.audit.append(commandAuditEntry(r)),
      logger: logger.child({ component: 'commands' }),
      now: () => this.clock.now(),
    });
    this.remote = new RemoteManagement({
      config,
      logger: logger.child({ component: 'remote' }),
      now: () => this.clock.now(),
      restart: (why) => (options.requestRestart ?? ((w: string) => logger.warn({ why: w }, 'restart requested but not supported here')))(why),
      runtime: (id) => this.modbus.runtime(id),
      desk: this.path.desk,
      outputs: this.outputs.configured ? this.outputs.tester() : undefined,
      consoleFacade: () => this.api?.facade(),
      commands: this.commands,
      faults,
      // The final outcome of a software update, answered on the platform connection like any command result.
      sendResult: async (command, result) => (this.codec.encodeCommandResult ? this.uplink.publish(this.codec.encodeCommandResult(command, result)) : false),
    });
    this.plan();
  }

  /**
   * Starts every component in order. A failing optional component is logged and raised as a fault;
   * a failing essential one stops what already started and rethrows (the run command exits).
   */
  async start(): Promise<void> {
    const t0 = performance.now();
    for (const c of this.components) {
      try {
        await c.start();
        this.started.push(c);
      } catch (err) {
        if (c.optional) {
          this.log.error({ component: c.name, err }, 'start failed; running on without it');
          this.path.faults.raise(`component:${c.name}`, `${c.name} did not start: ${(err as Error).message}`);
          this.started.push(c);
          continue;
        }
        this.log.error({ component: c.name, err }, 'start failed; stopping what started');
        await this.stop();
        throw err;
      }
    }
    const cfg = this.options.config;
    this.log.info(
      { gateway: cfg.gateway.id, devices: this.modbus.devices().length, sources: this.sources.map((s) => s.name), startMs: Math.round(performance.now() - t0) },
      `hearth ${version()} running`,
    );
  }

  /** Stops in reverse order. Each stop is attempted even if an earlier one failed. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const c = this.started.pop()!;
      try {
        await c.stop();
      } catch (err) {
        this.log.error({ component: c.name, err }, 'stop failed');
      }
    }
  }

  /** The alarm path's parts, for tests, tools and benchmarks. */
  /** A polled device's runtime (its latest readings), for tests and tools. */
  device(id: string) {
    return this.modbus.runtime(id);
  }

  get store() {
    return this.path.store;
  }

  get desk() {
    return this.path.desk;
  }

  get bus() {
    return this.path.bus;
  }

  get faults() {
    return this.path.faults;
  }

  /** Polled devices as the console and the demo log show them. */
  devices() {
    return this.modbus.polling()?.snapshot() ?? [];
  }

  /** Liveness of polling for the service watchdog (src/service/); undefined before the devices start. */
  pollProgress() {
    return this.modbus.polling()?.progress();
  }

  /** Fire alarms whose detector is still in alarm: a requested restart waits for none. */
  activeFireAlarms(): number {
    return this.path.desk.activeFireAlarms();
  }

  /** The TCP port the console listens on (differs from the config when it asked for 0). */
  apiPort(): number | undefined {
    return this.api?.boundPort();
  }

  /** What the console and API use of the gateway. */
  gatewayParts(): GatewayParts {
    const { config, logger } = this.options;
    const { bus, desk, store, faults, sink, turn } = this.path;
    return {
      config,
      clock: this.clock,
      logger,
      bus,
      desk,
      store,
      faults,
      sink,
      turn,
      modbus: this.modbus,
      profiles: this.options.profiles,
      uplink: this.uplink,
      ...(this.centres ? { centres: this.centres } : {}),
      audit: this.audit,
      commands: this.commands,
      maintenance: () => this.maintenance,
      remote: this.remote,
      ...(this.outputs.configured ? { outputs: this.outputs.tester() } : {}),
    };
  }

  private add(c: Component): void {
    this.components.push(c);
  }

  private plan(): void {
    const { config, logger } = this.options;
    // The demo's stand-ins, each module loaded only when its component starts (src/daemon/demo-components.ts).
    const demo = demoComponents({ config, gpio: this.gpio, logger, signer: this.demoSigner, devices: () => this.devices() });
    for (const c of demo.first) this.add(c);
    // Never fails: a file that cannot be opened is a storage fault, records wait in memory.
    this.add({ name: 'alarm-path', start: () => this.path.open(), stop: () => this.path.close() });
    // Local outputs before the uplink and the sources: sirens and relays never wait for the network.
    this.add({ name: 'gpio', start: () => this.gpio.start(), stop: () => this.gpio.stop() });
    this.add({ name: 'outputs', start: () => this.outputs.start(), stop: () => this.outputs.stop() });
    // Remote commands and config arrive over the uplink (src/remote/, docs/remote-management.md).
    this.add({ name: 'uplink', start: () => this.uplink.start(), stop: () => this.uplink.stop(), optional: true });
    this.add({ name: 'remote', start: () => this.remote.start(() => this.uplink.state().connects > 0), stop: () => this.remote.stop(), optional: true });
    // Each monitoring centre on its own connection and its own part of the outbox.
    // Imported only when centres are configured (the GB/T 26875 codec and its GB 18030 tables).
    if (config.centres.length > 0) {
      this.add({
        name: 'centres',
        start: async () => {
          const { MonitoringCentres } = await import('./core/monitoring-centres.js');
          this.centres = this.createCentres(MonitoringCentres);
          this.centres.start();
        },
        stop: () => this.centres?.stop(),
        optional: true,
      });
    }
    for (const source of this.sources) this.add({ name: source.name, start: () => source.start(), stop: () => source.stop() });
    // Scheduled device commands (the monthly leakage self-test): after the buses are open.
    if ((config.maintenance ?? []).length > 0) {
      let schedule: MaintenanceSchedule | undefined;
      this.add({
        name: 'maintenance',
        start: async () => {
          schedule = await this.createMaintenance();
          this.maintenance = schedule;
          schedule.start();
        },
        stop: () => schedule?.stop(),
        optional: true,
      });
    }
    if (config.api.enabled) {
      this.add({
        name: 'api',
        start: async () => {
          // Imported only when the console is on: fastify, its schema compilers and the routes are
          // the largest code in the gateway, and loaded code stays resident for the process's life.
          const { ApiServer } = await import('./api/server.js');
          this.api = new ApiServer(this.gatewayParts(), this.path.faults);
          await this.api.start();
        },
        stop: () => this.api?.stop(),
        optional: true,
      });
    }
    for (const c of demo.last) this.add(c);
  }

  private async createMaintenance(): Promise<MaintenanceSchedule> {
    const { config, logger } = this.options;
    const { faults, sink, store, desk } = this.path;
    const state = await SmallState.open<MaintenanceState>(join(config.gateway.stateDir, 'maintenance.json'), {
      defaults: { tasks: {} },
      validate: (raw) => (typeof raw === 'object' && raw !== null && typeof (raw as MaintenanceState).tasks === 'object' ? (raw as MaintenanceState) : undefined),
      faults,
      logger,
    });
    const stamp = { gatewayId: config.gateway.id, clock: this.clock, seq: store };
    return new MaintenanceSchedule({
      tasks: config.maintenance ?? [],
      run: (device, command, caller) => this.commands.run(device, command, {}, caller),
      state,
      // Never during an alarm: any alarm condition whose source is still in alarm.
      alarmActive: () => desk.list().some((c) => c.event.kind === 'alarm' && c.clearedAt === undefined),
      report: (task, result, by) => {
        const device = config.devices.find((d) => d.id === task.device) ?? { id: task.device, location: config.gateway.location };
        sink.event(maintenanceEvent(stamp, device, task, result, by));
      },
      faults,
      logger: logger.child({ component: 'maintenance' }),
      now: () => this.clock.now(),
      timers: systemTimers,
    });
  }

  private createCentres(Centres: typeof MonitoringCentres): MonitoringCentres {
    const { config, logger, profiles } = this.options;
    const audit = this.audit;
    return new Centres({
      config,
      kinds: profiles,
      path: this.path,
      clock: this.clock,
      logger,
      version: version(),
      audit: (e) => audit.append({ at: e.at, by: e.by, command: e.command, id: `${e.by}-${e.command}-${e.at}`, params: e.params, outcome: e.outcome, code: e.outcome, ...(e.message ? { message: e.message } : {}) }),
    });
  }

  private createUplink(): UplinkSession {
    const { config, logger } = this.options;
    return new UplinkSession({
      platform: config.platform,
      gatewayId: config.gateway.id,
      outbox: this.path.store,
      version: version(),
      now: () => this.clock.now(),
      synced: () => this.clock.synced(),
      logger: logger.child({ component: 'uplink' }),
      // aedes (the embedded demo broker) speaks MQTT 3.1.1 only.
      protocolVersion: config.platform.kind === 'embedded' || config.platform.mqttVersion === '3.1.1' ? 4 : 5,
      drainRatePerSec: config.outbox.drainRatePerSec,
      drainBurst: config.outbox.drainBurst,
      receipts: { confirmed: (ids) => this.path.desk.receiptsConfirmed(ids) },
      delivered: (eventIds) => this.path.bus.emit('delivered', { eventIds, at: this.clock.now() }),
      faults: this.path.faults,
      codec: (this.codec = createCodec(config, {
        version: version(),
        now: () => this.clock.now(),
        extraReceiptKeys: [{ id: this.demoSigner.kid, publicKey: publicKeyText(this.demoSigner.privateKey) }].filter(() => config.platform.kind === 'embedded'),
      })),
      onCommand: (command, reply) => this.remote.handle(command, reply),
      configVersion: () => this.remote.configVersion(),
    });
  }
}
