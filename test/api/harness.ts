import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { writeProfileValues } from '../../src/sim/profile-registers.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import { resolveProfileRef } from '../../src/config/profiles.js';
import { buildApi, type ApiDeps } from '../../src/api/app.js';
import { DaemonFacade } from '../../src/api/daemon-facade.js';
import { ConsoleState } from '../../src/api/local-state.js';
import { TokenStore } from '../../src/api/token.js';
import { UserStore } from '../../src/api/access/user-store.js';
import { AuditLog } from '../../src/remote/audit-log.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import type { PointValues } from '../../src/sim/scenarios.js';

/**
 * A real gateway for API tests: the daemon with its outbox on disk and its uplink to a real
 * Mosquitto, two smoke detectors on a simulated RS-485 line (register map written through the
 * shipped profile), and the API app built on the daemon's port, driven with inject().
 */
export interface ApiHarness {
  app: FastifyInstance;
  daemon: Daemon;
  port: DaemonFacade;
  token: string;
  dir: string;
  /** The gateway's state directory (tokens, users, audit log). */
  stateDir: string;
  users: UserStore;
  audit: AuditLog;
  broker: Mosquitto;
  /** Sets what a simulated detector measures (engineering values, by point name). */
  set(unit: number, values: PointValues): void;
  auth(): Record<string, string>;
  close(): Promise<void>;
}

export async function startApiHarness(
  opts: Partial<Omit<ApiDeps, 'port' | 'tokens' | 'logger'>> = {},
  testAlarmDeadlineMs?: number,
): Promise<ApiHarness> {
  const broker = await Mosquitto.start();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-api-'));
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway: { id: gw-api, name: API test house, stateDir: ${dir}/state, clockSync: assume-synced, location: { building: B1 } }
buses:
  - { id: line-1, type: modbus-rtu, port: /dev/null-sim, baudRate: 9600, timeoutMs: 200 }
  - { id: spare, type: modbus-rtu, port: /dev/null-sim2, baudRate: 9600, timeoutMs: 200 }
devices:
  - { id: smoke-1, name: Living room, profile: example-smoke-detector, bus: line-1, address: 1, pollIntervalMs: 200, location: { building: B1, floor: '1', room: living } }
  - { id: smoke-2, profile: example-smoke-detector, bus: line-1, address: 2, pollIntervalMs: 200, location: { building: B1, floor: '2', room: hall } }
platform: { kind: mqtt, url: '${broker.url}', mqttVersion: '5' }
api: { enabled: false }
log: { level: warn }
`,
  );
  const { config, profiles } = await loadConfigWithProfiles(file);
  const map = new RegisterMap();
  for (const u of [1, 2, 5, 9]) map.addUnit(u);
  const profile = loadProfileSync(resolveProfileRef('example-smoke-detector', config.profilePaths)!);
  const set = (unit: number, values: PointValues) => writeProfileValues(map, unit, profile, values);
  for (const u of [1, 2]) set(u, { smoke_density: 0.02, temperature: 21.5, fire_alarm: false });
  const daemon = new Daemon({
    config,
    profiles,
    logger: silentLogger(),
    busFactory: (cfg) => createSimBus({ id: cfg.id, map, timeoutMs: 100 }),
  });
  await daemon.start();
  const state = await ConsoleState.open(config.gateway.stateDir);
  const port = new DaemonFacade(daemon.gatewayParts(), state, testAlarmDeadlineMs);
  port.attach();
  const tokens = new TokenStore(config.gateway.stateDir, 0);
  const users = new UserStore(config.gateway.stateDir, 0);
  const audit = new AuditLog(config.gateway.stateDir);
  const app = await buildApi({ gateway: port, tokens, users, audit, logger: silentLogger(), ...opts });
  await app.ready();
  const token = tokens.current();
  return {
    app,
    daemon,
    port,
    token,
    dir,
    stateDir: config.gateway.stateDir,
    users,
    audit,
    broker,
    set,
    auth: () => ({ authorization: `Bearer ${tokens.current()}` }),
    async close() {
      port.detach();
      await app.close();
      await daemon.stop();
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
