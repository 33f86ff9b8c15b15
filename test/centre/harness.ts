import { join } from 'node:path';
import type { CentreConfig } from '../../src/config/types.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { Outbox } from '../../src/outbox/index.js';
import type { DestinationRoute } from '../../src/outbox/routing.js';
import { MonitoringCentreSim, type CentreSimOptions } from '../../src/sim/monitoring-centre.js';
import { buildGbt26875Site, type Gbt26875Site } from '../../src/uplink/gbt26875/index.js';
import { CentreSession, type CentreAuditEntry, type CentreSessionOptions } from '../../src/uplink/centre/session.js';
import { GATEWAY, tempDir } from '../outbox/fixtures.js';

export const GATEWAY_ADDRESS = 110_120;

export function centreConfig(port: number, extra: Partial<CentreConfig> = {}): CentreConfig {
  return {
    id: 'centre',
    protocol: 'gbt26875',
    host: '127.0.0.1',
    port,
    sourceAddress: GATEWAY_ADDRESS,
    centreAddress: 0,
    userVersion: 0,
    utcOffsetMinutes: 480,
    confirmTimeoutMs: 10_000,
    resends: 3,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    heartbeatS: 60,
    route: { kinds: ['alarm', 'fault', 'restore', 'offline', 'online', 'tamper', 'test'], readings: false },
    system: { type: 1, address: 1 },
    devices: {},
    ...extra,
  };
}

export const ROUTES: DestinationRoute[] = [
  { id: 'platform', readings: true },
  { id: 'centre', kinds: ['alarm', 'fault', 'restore', 'offline', 'online', 'tamper', 'test'], readings: false },
];

/** A site of two Modbus devices: a smoke detector (unit 3 on the first bus) and a residual-current device (unit 7). */
export function site(): Gbt26875Site {
  const config = {
    gateway: { id: GATEWAY },
    buses: [{ id: 'rs485-1' }],
    devices: [
      { id: 'smoke-1', name: '2F corridor smoke', bus: 'rs485-1', address: 3, location: { building: 'A', floor: '2' } },
      { id: 'rcd-1', bus: 'rs485-1', address: 7, location: { building: 'A', room: 'meter cabinet' } },
    ],
  };
  return buildGbt26875Site(config, new Map([['smoke-1', { kind: 'smoke' }], ['rcd-1', { kind: 'residual-current' }]]));
}

export interface Rig {
  sim: MonitoringCentreSim;
  outbox: Outbox;
  session: CentreSession;
  audit: CentreAuditEntry[];
  receipts: string[];
  active: GatewayEvent[];
  path: string;
}

/** A real outbox with the platform and one centre, the centre simulator over real TCP, and a session between them. */
export async function rig(
  t: { teardown(fn: () => void | Promise<void>): void },
  opts: { sim?: CentreSimOptions; centre?: Partial<CentreConfig>; session?: Partial<CentreSessionOptions> } = {},
): Promise<Rig> {
  const sim = await MonitoringCentreSim.start(opts.sim);
  t.teardown(() => sim.close());
  const path = join(tempDir(t), 'outbox.db');
  const outbox = Outbox.open({ path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, destinations: ROUTES });
  const audit: CentreAuditEntry[] = [];
  const receipts: string[] = [];
  const active: GatewayEvent[] = [];
  const session = new CentreSession({
    centre: centreConfig(sim.port, opts.centre),
    source: outbox.source('centre')!,
    site: site(),
    view: { active: () => active, latest: () => [] },
    version: '1.4.2',
    audit: (e) => audit.push(e),
    receipts: (ids) => receipts.push(...ids),
    ...opts.session,
  });
  t.teardown(() => {
    session.stop();
    outbox.close();
  });
  return { sim, outbox, session, audit, receipts, active, path };
}
