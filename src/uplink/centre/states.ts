import type { GatewayEvent } from '../../model/event.js';
import { componentStatus, deviceStatusOf, systemStatus, type ComponentStatus, type DeviceStatus, type Gbt26875Site, type SystemRef, type SystemStatus, componentOf } from '../gbt26875/index.js';

/**
 * States from what is raised now, for the centre's reads and the heartbeat: the same meaning as
 * event-units.ts gives a single event (fire alarm: fire; any other alarm: supervisory; fault,
 * tamper, offline: fault).
 */

function isGatewayFault(e: GatewayEvent, site: Gbt26875Site): boolean {
  return e.deviceId === site.gatewayId && e.kind !== 'alarm';
}

function flagsOf<S extends ComponentStatus | SystemStatus>(raised: readonly GatewayEvent[], status: S): S {
  for (const e of raised) {
    if (e.kind === 'alarm' && e.severity === 'fire') status.fire = true;
    else if (e.kind === 'alarm') status.supervisory = true;
    else status.fault = true;
  }
  return status;
}

export function sameSystem(a: SystemRef, b: SystemRef): boolean {
  return a.type === b.type && a.address === b.address;
}

/** The state of a building fire facility system: its components' raised conditions. */
export function systemStateOf(system: SystemRef, site: Gbt26875Site, active: readonly GatewayEvent[]): SystemStatus {
  const inSystem = active.filter((e) => !isGatewayFault(e, site) && sameSystem(componentOf(site, e.deviceId, e.location).system, system));
  return flagsOf(inSystem, systemStatus());
}

/** The state of one device's component. */
export function componentStateOf(deviceId: string, active: readonly GatewayEvent[]): ComponentStatus {
  return flagsOf(
    active.filter((e) => e.deviceId === deviceId),
    componentStatus(),
  );
}

/** The transmission device's own state (type 21): the gateway's faults, and fire while any fire alarm is raised. */
export function deviceStateOf(site: Gbt26875Site, active: readonly GatewayEvent[]): DeviceStatus {
  const faults = active.filter((e) => isGatewayFault(e, site)).map((e) => e.point ?? '');
  return deviceStatusOf(
    faults,
    active.some((e) => e.kind === 'alarm' && e.severity === 'fire'),
  );
}

/** The device id of the component at `address` in `system`, if the site has one. */
export function deviceAt(site: Gbt26875Site, system: SystemRef, address: number): string | undefined {
  for (const [id, c] of site.components) if (c.address === address && sameSystem(c.system, system)) return id;
  return undefined;
}
