import type { Clock } from './clock/clock.js';
import { SystemClock } from './clock/clock.js';
import type { HearthConfig, BusConfig } from './config/types.js';
import type { DeviceProfiles } from './config/profiles.js';
import { devicePointSpecs } from './config/effective-points.js';
import { createModbusBus } from './bus/modbus/index.js';
import type { ModbusBus } from './bus/modbus/types.js';
import { createModbusDriver } from '../drivers/modbus/driver.js';
import { DeviceRuntime } from './devices/runtime.js';
import { PollScheduler } from './devices/scheduler.js';
import { RulesEngine } from './rules/engine.js';
import { ResilientOutbox } from './outbox/resilient-outbox.js';
import { UplinkSession } from './uplink/session.js';
import { EmbeddedBroker } from './sim/embedded-broker.js';
import { DeviceSimulators } from './sim/device-simulators.js';
import { DemoReporter } from './sim/demo-reporter.js';
import { PipelineSink } from './pipeline-sink.js';
import { FieldIo, type PipelineParts } from './actions/field-io.js';
import type { GpioBackend } from './bus/gpio/types.js';
import { ApiServer } from './api/server.js';
import type { DaemonParts } from './api/daemon-port.js';
import { DeliveryConfirmations } from './uplink/confirmations.js';
import { ReportByException } from './reporting/exception-filter.js';
import type { Logger } from './log/logger.js';
import { version } from './version.js';
import { createCodec } from './uplink/codecs/create.js';
import { RemoteManagement } from './remote/remote-management.js';
import { disableMqttNumberCache } from './uplink/mqtt-packet-memory.js';
import { AlarmDesk } from './alarms/desk.js';
import { latchFile } from './alarms/latch-file.js';
import { GatewayFaults } from './faults/gateway-faults.js';
import { createGatewayBus, type GatewayBus } from './events/gateway-topics.js';

export interface DaemonOptions {
  config: HearthConfig;
  /** Device id -> profile, as loaded with the config. */
  profiles: DeviceProfiles;
  logger: Logger;
  clock?: Clock;
  /** Builds a bus from its config; tests and benchmarks substitute simulated buses. */
  busFactory?: (cfg: BusConfig, logger: Logger) => ModbusBus;
  /** GPIO backend for inputs and outputs; default from config.gpio.backend. Tests pass a simulator. */
  gpioBackend?: GpioBackend;
  /** A remote command or config change needs a restart (the run command exits for systemd). Default: logged only. */
  requestRestart?: (why: string) => void;
}

/** A part of the gateway with an ordered start and stop. */
interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  /**
   * Convenience parts (console, remote management, the uplink's set-up, demo reporting): if one
   * fails to start, the gateway runs on without it and raises a fault. Detection, the alarm desk
   * and local outputs never depend on them.
   */
  optional?: boolean;
}

/**
 * The composition root. The flow is one direction: bus → driver → runtime (normalize) → rules →
 * sink (alarm desk first, then the outbox) → uplink. Start order is bottom-up so nothing produces
 * before its consumer exists: demo stand-ins, outbox, outputs, uplink (connects in the background:
 * local rules never wait for the network), buses, inputs, devices, console. Stop is the reverse.
 */
export class Daemon {
  readonly clock: Clock;
  readonly bus: GatewayBus;
  readonly desk: AlarmDesk;
  readonly store: ResilientOutbox;
  readonly faults: GatewayFaults;
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private readonly sink: PipelineSink;
  private readonly rules: RulesEngine;
  private readonly io: FieldIo;
  private readonly latches: ReturnType<typeof latchFile>;
  private uplink?: UplinkSession;
  private scheduler?: PollScheduler;
  private confirmations?: DeliveryConfirmations;
  private api?: ApiServer;
  private readonly buses = new Map<string, ModbusBus>();
  private readonly runtimes: DeviceRuntime[] = [];
  private readonly log: Logger;
  private remote?: RemoteManagement;

  constructor(private readonly options: DaemonOptions) {
    disableMqttNumberCache();
    const { config, logger } = options;
    this.clock = options.clock ?? new SystemClock(config.gateway.clockSync);
    this.log = logger;
    this.bus = createGatewayBus(logger.child({ component: 'bus' }));
    const gatewayId = config.gateway.id;
    // The parts of the alarm path reference each other only through these late-bound arrows:
    // faults and the outbox's own notices go through the same sink as every other event.
    this.faults = new GatewayFaults({
      gatewayId,
      clock: this.clock,
      seq: { next: () => this.store.next() },
      location: config.gateway.location,
      sink: { event: (e) => this.sink.event(e) },
      onError: (err) => logger.error({ err }, 'gateway fault could not be raised'),
      held: true,
    });
    this.store = new ResilientOutbox({
      outbox: {
        path: config.outbox.path,
        flushIntervalMs: config.outbox.flushIntervalMs,
        quotaMb: config.outbox.quotaMb,
        minFreeMb: config.outbox.minFreeMb,
        reserveMb: config.outbox.reserveMb,
        gatewayId,
      },
      clock: this.clock,
      gatewayId,
      faults: this.faults,
      onNotice: (e) => this.sink.observe(e),
      logger: logger.child({ component: 'outbox' }),
    });
    this.io = new FieldIo({ config, logger, faults: this.faults, ...(options.gpioBackend ? { gpioBackend: options.gpioBackend } : {}) });
    this.desk = new AlarmDesk({
      actions: config.actions ?? [],
      outputs: () => this.io.outputRegistry(),
      now: () => this.clock.now(),
      mono: () => this.clock.mono(),
      faults: this.faults,
      logger: logger.child({ component: 'desk' }),
      receiptTimeoutMs: config.outbox.alarmAckTimeoutMs,
      latches: (this.latches = latchFile(config.gateway.stateDir, this.faults, logger.child({ component: 'desk' }))),
      onChange: (change) => this.bus.emit('desk', change),
    });
    this.sink = new PipelineSink({ desk: this.desk, store: this.store, bus: this.bus, logger: logger.child({ component: 'events' }) });
    this.rules = new RulesEngine({ gatewayId, clock: this.clock, seq: this.store, sink: this.sink });
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
          this.faults.raise(`component:${c.name}`, `${c.name} did not start: ${(err as Error).message}`);
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
      { gateway: cfg.gateway.id, devices: this.runtimes.length, buses: this.buses.size, startMs: Math.round(performance.now() - t0) },
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

  devices() {
    return this.scheduler?.snapshot() ?? [];
  }

  /** Liveness of polling for the service watchdog (src/service/); undefined before the devices start. */
  pollProgress() {
    return this.scheduler?.progress();
  }

  /** Fire alarms whose detector is still in alarm: a requested restart waits for none. */
  activeFireAlarms(): number {
    return this.desk.activeFireAlarms();
  }

  /** The port the API reaches the gateway through (bound to the API server's actual port). */
  apiPort(): number | undefined {
    return this.api?.boundPort();
  }

  /** What the API may use of the daemon; read lazily, parts exist once their component started. */
  gatewayParts(): DaemonParts {
    const { config, logger, busFactory } = this.options;
    return {
      config,
      clock: this.clock,
      logger,
      bus: this.bus,
      desk: this.desk,
      store: this.store,
      faults: this.faults,
      sink: this.sink,
      scheduler: () => this.scheduler,
      deviceStates: () => this.runtimes.map((r) => r.state),
      runtime: (id) => this.runtimes.find((r) => r.id === id),
      uplink: () => this.uplink,
      confirmations: () => this.confirmations,
      liveBus: (id) => this.buses.get(id),
      createBus: (cfg) => (busFactory ? busFactory(cfg, logger.child({ component: 'scan', bus: cfg.id })) : createModbusBus(cfg)),
      ...(this.io.configured ? { outputs: this.io.outputsPort() } : {}),
    };
  }

  private add(c: Component): void {
    this.components.push(c);
  }

  private plan(): void {
    const { config, logger } = this.options;
    const demo = config.demo;
    if (config.platform.kind === 'embedded') {
      const port = demo?.brokerPort ?? (Number(new URL(config.platform.url).port) || 1883);
      const confirm = (demo?.confirmEvents ?? true) && config.platform.codec === 'native';
      const broker = new EmbeddedBroker(port, '127.0.0.1', confirm ? config.platform.topicPrefix : undefined);
      this.add({
        name: 'embedded-broker',
        start: async () => {
          await broker.start();
          logger.info({ url: broker.url() }, 'embedded MQTT broker listening (stands in for the platform)');
        },
        stop: () => broker.stop(),
      });
    }
    if (demo && demo.simulators.length > 0) {
      const sims = new DeviceSimulators(demo.simulators, config.profilePaths, logger.child({ component: 'sim' }));
      this.add({ name: 'device-simulators', start: () => sims.start(), stop: () => sims.stop() });
    }
    // Never fails: a file that cannot be opened is a storage fault, records wait in memory. Faults
    // noted while the daemon was assembled (state files) go out once there is a sequence to stamp them.
    this.add({
      name: 'outbox',
      start: () => {
        this.store.start();
        this.faults.open();
      },
      stop: async () => {
        await this.latches.close();
        this.store.close();
      },
    });
    // Local outputs before the uplink and devices: sirens and relays never wait for the network.
    const io = this.io;
    if (io.configured) {
      this.add({
        name: 'gpio-outputs',
        start: async () => {
          await io.startOutputs(this.pipelineParts());
          this.desk.outputsReady();
        },
        stop: async () => {
          this.desk.stop();
          await io.stopOutputs();
        },
      });
    } else {
      this.add({ name: 'alarm-desk', start: () => {}, stop: () => this.desk.stop() });
    }
    // Remote commands and config arrive over the uplink (src/remote/, docs/remote-management.md).
    const remote = (this.remote = new RemoteManagement({
      config,
      logger: logger.child({ component: 'remote' }),
      now: () => this.clock.now(),
      restart: (why) => (this.options.requestRestart ?? ((w: string) => logger.warn({ why: w }, 'restart requested but not supported here')))(why),
      runtime: (id) => this.runtimes.find((r) => r.id === id),
      desk: this.desk,
      outputs: io.configured ? io.outputsPort() : undefined,
      gatewayPort: () => this.api?.gatewayPort(),
      faults: this.faults,
    }));
    this.add({ name: 'uplink', start: () => this.startUplink(), stop: () => this.uplink?.stop(), optional: true });
    this.add({ name: 'remote', start: () => remote.start(() => (this.uplink?.state().connects ?? 0) > 0), stop: () => remote.stop(), optional: true });
    this.add({ name: 'buses', start: () => this.openBuses(), stop: () => this.closeBuses() });
    if (io.configured) this.add({ name: 'contacts-and-tag-readers', start: () => io.startInputs(this.pipelineParts()), stop: () => io.stopInputs() });
    this.add({ name: 'devices', start: () => this.startDevices(), stop: () => this.stopDevices() });
    if (config.api.enabled) {
      this.api = new ApiServer(this.gatewayParts(), this.faults);
      this.add({ name: 'api', start: () => this.api!.start(), stop: () => this.api!.stop(), optional: true });
    }
    if (demo) {
      const reporter = new DemoReporter(() => this.devices(), logger.child({ component: 'demo' }));
      this.add({ name: 'demo-reporter', start: () => reporter.start(), stop: () => reporter.stop(), optional: true });
    }
  }

  private startUplink(): void {
    const { config, logger } = this.options;
    this.uplink = new UplinkSession({
      platform: config.platform,
      gatewayId: config.gateway.id,
      // Passes everything through; tells the API when a test alarm was confirmed (PUBACK).
      outbox: (this.confirmations = new DeliveryConfirmations(this.store, () => this.clock.now())),
      version: version(),
      now: () => this.clock.now(),
      synced: () => this.clock.synced(),
      logger: logger.child({ component: 'uplink' }),
      // aedes (the embedded demo broker) speaks MQTT 3.1.1 only.
      protocolVersion: config.platform.kind === 'embedded' || config.platform.mqttVersion === '3.1.1' ? 4 : 5,
      drainRatePerSec: config.outbox.drainRatePerSec,
      drainBurst: config.outbox.drainBurst,
      receipts: { confirmed: (ids) => this.desk.receiptsConfirmed(ids) },
      faults: this.faults,
      codec: createCodec(config, { version: version(), now: () => this.clock.now() }),
      onCommand: (command, reply) => this.remote?.handle(command, reply),
      configVersion: () => this.remote?.configVersion(),
    });
    this.uplink.start();
  }

  private async openBuses(): Promise<void> {
    const { config, logger, busFactory } = this.options;
    const used = new Set(config.devices.filter((d) => d.enabled).map((d) => d.bus));
    for (const cfg of config.buses.filter((b) => used.has(b.id))) {
      const busLog = logger.child({ component: 'bus', bus: cfg.id });
      const bus = busFactory ? busFactory(cfg, busLog) : createModbusBus(cfg, { logger: busLog });
      this.buses.set(cfg.id, bus);
      // An unreachable bus is a field problem, not a reason to stay down: the bus keeps
      // reconnecting, its devices go offline (fault events), and the others run.
      await bus.open().catch((err: unknown) => busLog.warn({ err: (err as Error).message }, 'bus not available yet; retrying in the background'));
    }
  }

  private async closeBuses(): Promise<void> {
    await Promise.all([...this.buses.values()].map((b) => b.close()));
    this.buses.clear();
  }

  private startDevices(): void {
    const { config, profiles, logger } = this.options;
    // Report by exception filters only what goes upstream; the rules still see every reading.
    const readingSink = new ReportByException(this.sink);
    for (const device of config.devices.filter((d) => d.enabled)) {
      const profile = profiles.get(device.id);
      const bus = this.buses.get(device.bus);
      if (!profile || !bus) throw new Error(`device ${device.id}: profile or bus missing after validation`);
      const base = createModbusDriver(profile, bus, device.address);
      const driver = { points: devicePointSpecs(base.points, device), read: base.read.bind(base) };
      readingSink.addDevice(device.id, driver.points);
      this.runtimes.push(
        new DeviceRuntime({
          gatewayId: config.gateway.id,
          config: device,
          driver,
          clock: this.clock,
          seq: this.store,
          rules: this.rules,
          sink: readingSink,
          onError: (err, deviceId) => logger.error({ device: deviceId, err }, 'pipeline error'),
        }),
      );
    }
    this.scheduler = new PollScheduler(this.runtimes, { clock: this.clock });
    this.scheduler.start();
  }

  private pipelineParts(): PipelineParts {
    const { config, logger } = this.options;
    return {
      gatewayId: config.gateway.id,
      clock: this.clock,
      seq: this.store,
      rules: this.rules,
      sink: this.sink,
      onError: (err, deviceId) => logger.error({ device: deviceId, err }, 'pipeline error'),
    };
  }

  /** Faults of GPIO lines, outputs and tag readers, as events through the pipeline (made once the outbox is open). */

  private async stopDevices(): Promise<void> {
    const result = await this.scheduler?.stop();
    if (result && !result.settled) this.options.logger.warn({ pending: result.pending }, 'polls still running at stop');
    this.store.flush();
  }
}
