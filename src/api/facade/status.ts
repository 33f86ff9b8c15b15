import type { DeviceState } from '../../devices/runtime.js';
import { version } from '../../version.js';
import type { GatewayParts } from '../gateway-parts.js';
import type { GatewayStatus } from '../gateway-facade.js';

/** The overview's numbers, read from the parts each time (the route is polled every few seconds). */
export function gatewayStatus(parts: GatewayParts, startedMono: number): GatewayStatus {
  const { config, clock, desk, store, faults, modbus, uplink } = parts;
  const states = modbus.devices().map((d) => d.state);
  const count = (s: DeviceState) => states.filter((x) => x === s).length;
  let outbox: GatewayStatus['outbox'] = null;
  try {
    const s = store.stats();
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
  return status;
}
