import type { DeviceState } from '../../devices/runtime.js';
import { version } from '../../version.js';
import type { GatewayParts } from '../gateway-parts.js';
import type { DestinationStatus, GatewayStatus } from '../gateway-facade.js';
import type { OutboxStats } from '../../outbox/types.js';

/** The overview's numbers, read from the parts each time (the route is polled every few seconds). */
export function gatewayStatus(parts: GatewayParts, startedMono: number): GatewayStatus {
  const { config, clock, desk, store, faults, modbus, uplink } = parts;
  const states = modbus.devices().map((d) => d.state);
  const count = (s: DeviceState) => states.filter((x) => x === s).length;
  let outbox: GatewayStatus['outbox'] = null;
  let stats: OutboxStats | undefined;
  try {
    const s = (stats = store.stats());
    outbox = { depth: s.depth, total: s.total, inflight: s.inflight, oldestUnsentAgeMs: s.oldestUnsentAgeMs };
  } catch {
    outbox = null; // a closed outbox: the status still answers
  }
  const summary = desk.summary();
  const status: GatewayStatus = {
    gatewayId: config.gateway.id,
    version: version(),
    uptimeS: Math.round((clock.mono() - startedMono) / 100) / 10,
    clock: { now: clock.now(), synced: clock.synced() },
    uplink: uplink.state(),
    outbox,
    destinations: destinations(parts, stats),
    devices: { total: states.length, online: count('online'), offline: count('offline'), starting: count('starting') },
    activeAlarms: summary.conditions,
    alarms: { conditions: summary.conditions, fire: summary.fireAlarms, latched: summary.latched, faults: summary.faults },
    receipt: {
      fault: summary.receipt.fault,
      awaiting: summary.receipt.awaiting.length,
      overdue: summary.receipt.awaiting.filter((a) => a.overdue).length,
    },
    storage: store.health(),
    faults: faults.list().map((f) => ({ id: f.id, point: f.point ?? '', severity: f.severity, message: f.message, since: f.ts })),
  };
  if (config.gateway.name !== undefined) status.name = config.gateway.name;
  const walk = desk.walkTest.active();
  if (walk !== undefined) status.walkTest = walk;
  return status;
}

const NO_BACKLOG = { depth: { fire: 0, events: 0, telemetry: 0 }, parked: 0, inflight: 0, oldestUnsentAgeMs: null };

/** The platform, then each monitoring centre: its connection and what it has not confirmed. */
function destinations(parts: GatewayParts, stats: OutboxStats | undefined): DestinationStatus[] {
  const backlog = (id: string) => stats?.destinations?.[id] ?? NO_BACKLOG;
  const uplink = parts.uplink.state();
  const out: DestinationStatus[] = [{ id: 'platform', kind: 'mqtt', connected: uplink.connected, lastError: uplink.lastError, ...backlog('platform') }];
  for (const centre of parts.centres?.states() ?? []) {
    out.push({ id: centre.id, kind: 'gbt26875', connected: centre.connected, lastError: centre.lastError, ...backlog(centre.id), centre });
  }
  return out;
}
