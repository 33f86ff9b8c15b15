import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterMap } from '../../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../../src/bus/modbus/sim-bus.js';
import type { ModbusBus, ModbusRequest } from '../../../src/bus/modbus/types.js';
import type { GpioBackend } from '../../../src/bus/gpio/types.js';
import { loadConfigWithProfiles } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log/logger.js';

/**
 * A gateway for benchmarks: the real daemon (drivers, runtime, rules, outbox on disk, uplink) with
 * each configured bus replaced by a simulated line over one register map, so the figures measure
 * the gateway and not a device's reply time.
 */
export interface BenchGateway {
  daemon: Daemon;
  map: RegisterMap;
  /** Per bus id: the simulated bus, to watch its requests. */
  buses: Map<string, ModbusBus>;
  dir: string;
}

export interface BenchGatewayOptions {
  gpioBackend?: GpioBackend;
  /** Called with every bus request and the moment its reply (or failure) came back. */
  onReply?: (req: ModbusRequest, at: number) => void;
}

export async function startBenchGateway(yaml: (dir: string) => string, units: number[], opts: BenchGatewayOptions = {}): Promise<BenchGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  const file = join(dir, 'hearth.yaml');
  writeFileSync(file, yaml(dir));
  const { config, profiles } = await loadConfigWithProfiles(file);
  const map = new RegisterMap();
  for (const u of units) map.addUnit(u);
  const buses = new Map<string, ModbusBus>();
  const daemon = new Daemon({
    config,
    profiles,
    logger: silentLogger(),
    ...(opts.gpioBackend ? { gpioBackend: opts.gpioBackend } : {}),
    busFactory: (cfg) => {
      const bus = createSimBus({ id: cfg.id, map, timeoutMs: cfg.timeoutMs });
      const onReply = opts.onReply;
      if (onReply !== undefined) {
        const request = bus.request.bind(bus);
        bus.request = (req, o) => request(req, o).finally(() => onReply(req, performance.now()));
      }
      buses.set(cfg.id, bus);
      return bus;
    },
  });
  await daemon.start();
  return { daemon, map, buses, dir };
}
