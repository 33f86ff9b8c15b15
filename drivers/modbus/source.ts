import { createModbusBus } from '../../src/bus/modbus/index.js';
import type { ModbusBus } from '../../src/bus/modbus/types.js';
import type { BusConfig } from '../../src/config/types.js';
import { devicePointSpecs } from '../../src/config/effective-points.js';
import type { DeviceProfiles } from '../../src/config/profiles.js';
import { DeviceRuntime } from '../../src/devices/runtime.js';
import { PollScheduler } from '../../src/devices/scheduler.js';
import type { Source, SourceContext, SourceKind } from '../../src/devices/source.js';
import type { Logger } from '../../src/log/logger.js';
import { ReportByException } from '../../src/reporting/exception-filter.js';
import { createModbusDriver } from './driver.js';

export type BusFactory = (cfg: BusConfig, logger: Logger) => ModbusBus;

/**
 * Polled Modbus devices (RTU on RS-485, RTU over TCP, Modbus TCP) as a source: one transaction
 * handler per bus, one runtime per device with its profile's driver, one scheduler that polls them
 * (fire-relevant devices first, dead ones backed off). A bus that cannot be opened keeps
 * reconnecting in the background; its devices go offline (fault events) and the others run.
 */
export class ModbusSource implements Source {
  readonly name = 'modbus';
  private readonly buses = new Map<string, ModbusBus>();
  private readonly runtimes: DeviceRuntime[] = [];
  private scheduler: PollScheduler | undefined;

  constructor(
    private readonly ctx: SourceContext,
    private readonly profiles: DeviceProfiles,
    private readonly busFactory?: BusFactory,
  ) {}

  async start(): Promise<void> {
    await this.openBuses();
    this.startDevices();
  }

  async stop(): Promise<void> {
    const result = await this.scheduler?.stop();
    if (result && !result.settled) this.ctx.logger.warn({ pending: result.pending }, 'polls still running at stop');
    await Promise.all([...this.buses.values()].map((b) => b.close()));
    this.buses.clear();
  }

  /** The bus with this id, if a device uses it (console scans share it). */
  bus(id: string): ModbusBus | undefined {
    return this.buses.get(id);
  }

  /** A new bus from a config (a scan of a bus no device uses yet). */
  createBus(cfg: BusConfig): ModbusBus {
    const log = this.ctx.logger.child({ component: 'scan', bus: cfg.id });
    return this.busFactory ? this.busFactory(cfg, log) : createModbusBus(cfg, { logger: log });
  }

  runtime(deviceId: string): DeviceRuntime | undefined {
    return this.runtimes.find((r) => r.id === deviceId);
  }

  devices(): readonly DeviceRuntime[] {
    return this.runtimes;
  }

  /** The poll scheduler once devices started (snapshots, the service watchdog's progress). */
  polling(): PollScheduler | undefined {
    return this.scheduler;
  }

  private async openBuses(): Promise<void> {
    const { config, logger } = this.ctx;
    const used = new Set(config.devices.filter((d) => d.enabled).map((d) => d.bus));
    for (const cfg of config.buses.filter((b) => used.has(b.id))) {
      const log = logger.child({ component: 'bus', bus: cfg.id });
      const bus = this.busFactory ? this.busFactory(cfg, log) : createModbusBus(cfg, { logger: log });
      this.buses.set(cfg.id, bus);
      await bus.open().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'bus not available yet; retrying in the background'));
    }
  }

  private startDevices(): void {
    const { config, gatewayId, clock, seq, rules, sink, logger } = this.ctx;
    // Report by exception filters only what goes upstream; the rules still see every reading.
    const readings = new ReportByException(sink);
    for (const device of config.devices.filter((d) => d.enabled)) {
      const profile = this.profiles.get(device.id);
      const bus = this.buses.get(device.bus);
      if (!profile || !bus) throw new Error(`device ${device.id}: profile or bus missing after validation`);
      const base = createModbusDriver(profile, bus, device.address);
      const driver = { points: devicePointSpecs(base.points, device), read: base.read.bind(base) };
      readings.addDevice(device.id, driver.points);
      this.runtimes.push(
        new DeviceRuntime({
          gatewayId,
          config: device,
          driver,
          clock,
          seq,
          rules,
          sink: readings,
          onError: (err, deviceId) => logger.error({ device: deviceId, err }, 'pipeline error'),
        }),
      );
    }
    this.scheduler = new PollScheduler(this.runtimes, { clock });
    this.scheduler.start();
  }
}

/** The Modbus kind; tests and benchmarks pass a bus factory (simulated lines). */
export function modbusSource(profiles: DeviceProfiles, busFactory?: BusFactory): SourceKind<ModbusSource> {
  return { name: 'modbus', create: (ctx) => new ModbusSource(ctx, profiles, busFactory) };
}
