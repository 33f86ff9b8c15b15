import { RegisterMap } from '../bus/modbus/register-map.js';
import { startModbusTcpServer, type ModbusTcpServer } from '../bus/modbus/tcp-server.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import type { DemoSimulator } from '../config/types.js';
import { resolveProfileRef } from '../config/profiles.js';
import type { Logger } from '../log/logger.js';
import { writeProfileValues } from './profile-registers.js';
import { scenarioFor, type Scenario } from './scenarios.js';
import { attachBreakerMechanics } from './breaker-mechanics.js';

/**
 * The demo's field: one in-process Modbus TCP slave per configured simulator, serving its units
 * with registers laid out by a real profile and values from a scripted scenario, updated 4x/s.
 */
export class DeviceSimulators {
  private readonly running: { server: ModbusTcpServer; timer: NodeJS.Timeout; detach: (() => void)[] }[] = [];

  constructor(
    private readonly sims: readonly DemoSimulator[],
    private readonly profilePaths: readonly string[],
    private readonly logger: Logger,
    private readonly cycleS = 60,
  ) {}

  /** Starts every simulator; if one cannot (its port is taken), stops those already running and rethrows. */
  async start(): Promise<void> {
    try {
      await this.startAll();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async startAll(): Promise<void> {
    for (const sim of this.sims) {
      const path = resolveProfileRef(sim.profile, this.profilePaths);
      if (path === undefined) throw new Error(`demo simulator: profile '${sim.profile}' not found`);
      const profile = loadProfileSync(path);
      const map = new RegisterMap();
      for (const unit of sim.units) map.addUnit(unit);
      const scenario = scenarioFor(profile.kind, sim.scenario, this.cycleS);
      const t0 = performance.now();
      const update = (): void => updateUnits(map, sim.units, profile, scenario, (performance.now() - t0) / 1000);
      update();
      // A breaker's contact moves only when a master writes to it (trip, close, test).
      const detach = profile.kind === 'leakage-breaker' ? sim.units.map((u) => attachBreakerMechanics(map, u)) : [];
      const server = await startModbusTcpServer({ map, host: sim.host, port: sim.port });
      const timer = setInterval(update, 250);
      this.running.push({ server, timer, detach });
      this.logger.info(
        { profile: profile.name, units: sim.units, scenario: sim.scenario, at: `${sim.host}:${server.port}` },
        'demo: simulated Modbus TCP devices listening',
      );
    }
  }

  async stop(): Promise<void> {
    const all = this.running.splice(0);
    for (const r of all) {
      clearInterval(r.timer);
      for (const d of r.detach) d();
    }
    await Promise.all(all.map((r) => r.server.close()));
  }
}

function updateUnits(map: RegisterMap, units: readonly number[], profile: ModbusProfile, scenario: Scenario, t: number): void {
  for (const unit of units) writeProfileValues(map, unit, profile, scenario(t, unit));
}
