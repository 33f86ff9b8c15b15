import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterMap } from '../../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../../src/bus/modbus/sim-bus.js';
import type { ModbusBus } from '../../../src/bus/modbus/types.js';
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

export async function startBenchGateway(yaml: (dir: string) => string, units: number[]): Promise<BenchGateway> {
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
    busFactory: (cfg) => {
      const bus = createSimBus({ id: cfg.id, map, timeoutMs: cfg.timeoutMs });
      buses.set(cfg.id, bus);
      return bus;
    },
  });
  await daemon.start();
  return { daemon, map, buses, dir };
}
