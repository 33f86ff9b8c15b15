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
import { Outbox } from './outbox/outbox.js';
import { OutboxStorageError } from './outbox/errors.js';
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
import type { AlarmAckState } from './uplink/alarm-acks.js';
import type { Logger } from './log/logger.js';
import { version } from './version.js';
import { createCodec } from './uplink/codecs/create.js';
import { RemoteManagement } from './remote/remote-management.js';
import { disableMqttNumberCache } from './uplink/mqtt-packet-memory.js';

export interface DaemonOptions {
  config: HearthConfig;
  /** Device id -> profile, as loaded with the config. */
  profiles: DeviceProfiles;
  logger: Logger;
  clock?: Clock;
  /** Builds a bus from its config; tests and benchmarks substitute simulated buses. */
  busFactory?: (cfg: BusConfig, logger: Logger) => ModbusBus;
  /** A failure the process cannot continue after (storage). Default: log and exit 74 via the CLI. */
  onFatal: (err: Error) => void;
  /** GPIO backend for inputs and outputs; default from config.gpio.backend. Tests pass a simulator. */
  gpioBackend?: GpioBackend;
  /** The unacknowledged-fire-alarm fault turned on or off (e.g. a GPIO fault output). */
  onAlarmAckFault?: (state: AlarmAckState) => void;
  /** A remote command or config change needs a restart (the run command exits for systemd). Default: logged only. */
  requestRestart?: (why: string) => void;
}

/** A part of the gateway with an ordered start and stop. */
interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * The composition root. The flow is one direction: bus → driver → runtime (normalize) → rules →
 * sink → outbox → uplink. Start order is bottom-up so nothing produces before its consumer exists:
 * demo stand-ins, outbox, uplink (connects in the background: local rules never wait for the
 * network), buses, devices. Stop is the reverse.
 */
export class Daemon {
  readonly clock: Clock;
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private outbox?: Outbox;
  private uplink?: UplinkSession;
  private scheduler?: PollScheduler;
  private rules?: RulesEngine;
  private sink?: PipelineSink;
  private confirmations?: DeliveryConfirmations;
  private api?: ApiServer;
  private readonly buses = new Map<string, ModbusBus>();
  private readonly runtimes: DeviceRuntime[] = [];
  private readonly log: Logger;
  private io?: FieldIo;
  private remote?: RemoteManagement;

  constructor(private readonly options: DaemonOptions) {
    disableMqttNumberCache();
    this.clock = options.clock ?? new SystemClock(options.config.gateway.clockSync);
    this.log = options.logger;
    this.plan();
  }

  /** Starts every component in order; on failure, stops what already started and rethrows. */
  async start(): Promise<void> {
    const t0 = performance.now();
    for (const c of this.components) {
      try {
        await c.start();
        this.started.push(c);
      } catch (err) {
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

  /** The port the API reaches the gateway through (bound to the API server's actual port). */
  apiPort(): number | undefined {
    return this.api?.boundPort();
  }

  /** What the API may use of the daemon; read lazily, parts exist once their component started. */
  gatewayParts(): DaemonParts {
    const { config, logger, busFactory, onFatal } = this.options;
    return {
      config,
      clock: this.clock,
      logger,
      scheduler: () => this.scheduler,
      deviceStates: () => this.runtimes.map((r) => r.state),
      runtime: (id) => this.runtimes.find((r) => r.id === id),
      rules: () => this.rules,
      sink: () => this.sink,
      outbox: () => this.outbox,
      uplink: () => this.uplink,
      confirmations: () => this.confirmations,
      liveBus: (id) => this.buses.get(id),
      createBus: (cfg) => (busFactory ? busFactory(cfg, logger.child({ component: 'scan', bus: cfg.id })) : createModbusBus(cfg)),
      ...(this.io?.configured ? { outputs: this.io.outputsPort() } : {}),
      onError: (err) => {
        if (err instanceof OutboxStorageError) onFatal(err);
      },
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
      const broker = new EmbeddedBroker(port);
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
    this.add({ name: 'outbox', start: () => this.openOutbox(), stop: () => this.outbox?.close() });
    // Local outputs before the uplink and devices: sirens and relays never wait for the network.
    const io = (this.io = new FieldIo({ config, logger, ...(this.options.gpioBackend ? { gpioBackend: this.options.gpioBackend } : {}) }));
    if (io.configured) this.add({ name: 'gpio-outputs', start: () => io.startOutputs(this.pipelineParts()), stop: () => io.stopOutputs() });
    // Remote commands and config arrive over the uplink (src/remote/, docs/remote-management.md).
    const remote = (this.remote = new RemoteManagement({
      config,
      logger: logger.child({ component: 'remote' }),
      now: () => this.clock.now(),
      restart: (why) => (this.options.requestRestart ?? ((w: string) => logger.warn({ why: w }, 'restart requested but not supported here')))(why),
      runtime: (id) => this.runtimes.find((r) => r.id === id),
      gatewayPort: () => this.api?.gatewayPort(),
    }));
    this.add({ name: 'uplink', start: () => this.startUplink(), stop: () => this.uplink?.stop() });
    this.add({ name: 'remote', start: () => remote.start(() => (this.uplink?.state().connects ?? 0) > 0), stop: () => remote.stop() });
    this.add({ name: 'buses', start: () => this.openBuses(), stop: () => this.closeBuses() });
    if (io.configured) this.add({ name: 'contacts-and-tag-readers', start: () => io.startInputs(this.pipelineParts()), stop: () => io.stopInputs() });
    this.add({ name: 'devices', start: () => this.startDevices(), stop: () => this.stopDevices() });
    if (config.api.enabled) {
      this.api = new ApiServer(this.gatewayParts());
      this.add({ name: 'api', start: () => this.api!.start(), stop: () => this.api!.stop() });
    }
    if (demo) {
      const reporter = new DemoReporter(() => this.devices(), logger.child({ component: 'demo' }));
      this.add({ name: 'demo-reporter', start: () => reporter.start(), stop: () => reporter.stop() });
    }
  }

  private openOutbox(): void {
    const { config, logger, onFatal } = this.options;
    this.outbox = Outbox.open({
      path: config.outbox.path,
      flushIntervalMs: config.outbox.flushIntervalMs,
      quotaMb: config.outbox.quotaMb,
      minFreeMb: config.outbox.minFreeMb,
      reserveMb: config.outbox.reserveMb,
      clock: this.clock,
      gatewayId: config.gateway.id,
      logger: logger.child({ component: 'outbox' }),
      onStorageError: onFatal,
    });
  }

  private startUplink(): void {
    const { config, logger } = this.options;
    this.uplink = new UplinkSession({
      platform: config.platform,
      gatewayId: config.gateway.id,
      // Passes everything through; tells the API when a test alarm was confirmed (PUBACK).
      outbox: (this.confirmations = new DeliveryConfirmations(this.outbox!, () => this.clock.now())),
      version: version(),
      now: () => this.clock.now(),
      synced: () => this.clock.synced(),
      logger: logger.child({ component: 'uplink' }),
      // aedes (the embedded demo broker) speaks MQTT 3.1.1 only.
      protocolVersion: config.platform.kind === 'embedded' || config.platform.mqttVersion === '3.1.1' ? 4 : 5,
      drainRatePerSec: config.outbox.drainRatePerSec,
      drainBurst: config.outbox.drainBurst,
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
    const { config, profiles, logger, onFatal } = this.options;
    const outbox = this.outbox!;
    const { sink, rules } = this.pipeline();
    // Report by exception filters only what goes upstream; the rules still see every reading.
    const readingSink = new ReportByException(sink);
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
          seq: outbox,
          rules,
          sink: readingSink,
          onError: (err, deviceId) => {
            if (err instanceof OutboxStorageError) onFatal(err);
            else logger.error({ device: deviceId, err }, 'pipeline error');
          },
        }),
      );
    }
    this.scheduler = new PollScheduler(this.runtimes, { clock: this.clock });
    this.scheduler.start();
  }

  /** The one sink and rules engine every source feeds (polled devices, contacts, tag readers). */
  private pipeline(): { sink: PipelineSink; rules: RulesEngine } {
    const outbox = this.outbox!;
    const sink = (this.sink ??= new PipelineSink(outbox, this.options.logger.child({ component: 'events' })));
    const rules = (this.rules ??= new RulesEngine({ gatewayId: this.options.config.gateway.id, clock: this.clock, seq: outbox, sink }));
    return { sink, rules };
  }

  private pipelineParts(): PipelineParts {
    const { config, logger, onFatal } = this.options;
    const { sink, rules } = this.pipeline();
    return {
      gatewayId: config.gateway.id,
      clock: this.clock,
      seq: this.outbox!,
      rules,
      sink,
      listen: (onEvent) => sink.listen((r) => (r.type === 'event' ? onEvent(r.event) : undefined)),
      onError: (err, deviceId) => {
        if (err instanceof OutboxStorageError) onFatal(err);
        else logger.error({ device: deviceId, err }, 'pipeline error');
      },
    };
  }

  private async stopDevices(): Promise<void> {
    const result = await this.scheduler?.stop();
    if (result && !result.settled) this.options.logger.warn({ pending: result.pending }, 'polls still running at stop');
    this.outbox?.flush();
  }
}
