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
import type { Logger } from './log/logger.js';
import { version } from './version.js';

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
  private readonly buses = new Map<string, ModbusBus>();
  private readonly runtimes: DeviceRuntime[] = [];
  private readonly log: Logger;

  constructor(private readonly options: DaemonOptions) {
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

  uplinkState() {
    return this.uplink?.state();
  }

  outboxStats() {
    return this.outbox?.stats();
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
    this.add({ name: 'uplink', start: () => this.startUplink(), stop: () => this.uplink?.stop() });
    this.add({ name: 'buses', start: () => this.openBuses(), stop: () => this.closeBuses() });
    this.add({ name: 'devices', start: () => this.startDevices(), stop: () => this.stopDevices() });
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
      now: () => this.clock.now(),
      logger: logger.child({ component: 'outbox' }),
      onStorageError: onFatal,
    });
  }

  private startUplink(): void {
    const { config, logger } = this.options;
    this.uplink = new UplinkSession({
      platform: config.platform,
      gatewayId: config.gateway.id,
      outbox: this.outbox!,
      version: version(),
      now: () => this.clock.now(),
      synced: () => this.clock.synced(),
      logger: logger.child({ component: 'uplink' }),
      // aedes (the embedded demo broker) speaks MQTT 3.1.1 only.
      protocolVersion: config.platform.kind === 'embedded' || config.platform.mqttVersion === '3.1.1' ? 4 : 5,
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
    const sink = new PipelineSink(outbox, logger.child({ component: 'events' }));
    const rules = new RulesEngine({ gatewayId: config.gateway.id, clock: this.clock, seq: outbox, sink });
    for (const device of config.devices.filter((d) => d.enabled)) {
      const profile = profiles.get(device.id);
      const bus = this.buses.get(device.bus);
      if (!profile || !bus) throw new Error(`device ${device.id}: profile or bus missing after validation`);
      const base = createModbusDriver(profile, bus, device.address);
      const driver = { points: devicePointSpecs(base.points, device), read: base.read.bind(base) };
      this.runtimes.push(
        new DeviceRuntime({
          gatewayId: config.gateway.id,
          config: device,
          driver,
          clock: this.clock,
          seq: outbox,
          rules,
          sink,
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

  private async stopDevices(): Promise<void> {
    const result = await this.scheduler?.stop();
    if (result && !result.settled) this.options.logger.warn({ pending: result.pending }, 'polls still running at stop');
    this.outbox?.flush();
  }
}
