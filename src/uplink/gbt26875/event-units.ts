import type { EventKind, GatewayEvent } from '../../model/event.js';
import { analogueFor } from './analogue.js';
import { deviceStatusOf } from './device-faults.js';
import { componentStatus, deviceOperation, systemStatus, type ComponentStatus, type SystemStatus } from './flags.js';
import { componentOf, type Gbt26875Site } from './site.js';
import type { UploadUnit } from './units.js';

/**
 * What a hearth event becomes at the monitoring centre (docs/gbt26875.md, "What each event becomes"):
 *
 *   alarm (fire)                      type 2, `fire`
 *   alarm (any other severity)        type 2, `supervisory` (监管): residual current, temperature, a
 *                                     denied tag: alarms a centre must tell apart from fire alarms
 *   fault, tamper, offline            type 2, `fault`
 *   restore, online                   type 2, the component's state without the ended condition
 *   fault / restore of the gateway    type 21, the transmission device's state (device-faults.ts)
 *   test (commissioning test alarm)   type 24, `test`
 *   tag_arrived, tag_left, dropped    nothing: no GB/T 26875.3 meaning
 *
 * An alarm with a numeric value in a unit table 6 knows adds a type-3 unit (the current in mA, the
 * temperature). With the context's raised conditions a type-1 unit follows, the state of the
 * component's system (§6.3.2: "when … the running state changes", the system's state changed too).
 * Each unit travels in its own frame, type 2 first.
 */

/** Kinds that raise a condition; the others end one or say something once. */
const RAISING: ReadonlySet<EventKind> = new Set(['alarm', 'fault', 'tamper', 'offline']);
const NO_MEANING: ReadonlySet<EventKind> = new Set(['tag_arrived', 'tag_left', 'dropped']);

export interface EventContext {
  /**
   * The events whose conditions are still raised (the alarm desk's conditions not cleared), with or
   * without this one. With them, states are built from everything raised: a restore of one point
   * does not report the device normal while another of its points is still in alarm, and the
   * system's state (type 1) can be sent. Without them, states come from this event alone.
   */
  active?: readonly GatewayEvent[];
}

/** The units to send for `event`, or undefined when it has no meaning for the centre. */
export function eventUnits(event: GatewayEvent, site: Gbt26875Site, context: EventContext = {}): UploadUnit[] | undefined {
  if (NO_MEANING.has(event.kind)) return undefined;
  const time = new Date(event.ts);
  if (event.kind === 'test') return [{ type: 24, operations: [{ flags: deviceOperation({ test: true }), operator: 0, time }] }];
  const raised = stillRaised(event, context.active);
  if (isGatewayOwn(event, site)) {
    const gatewayFaults = raised.filter((e) => isGatewayOwn(e, site)).map((e) => e.point ?? '');
    return [{ type: 21, state: { status: deviceStatusOf(gatewayFaults, context.active !== undefined && raised.some(isFireAlarm)), time } }];
  }
  const component = componentOf(site, event.deviceId, event.location);
  const own = raised.filter((e) => e.deviceId === event.deviceId);
  const units: UploadUnit[] = [{ type: 2, components: [{ ...component, status: flagsOf(own, componentStatus()), time }] }];
  const analogue = event.kind === 'alarm' && typeof event.value === 'number' ? analogueFor(event.value, event.unit) : undefined;
  if (analogue !== undefined) units.push({ type: 3, values: [{ system: component.system, componentType: component.componentType, address: component.address, ...analogue, time }] });
  if (context.active !== undefined) {
    const sameSystem = raised.filter((e) => {
      if (isGatewayOwn(e, site)) return false;
      const s = componentOf(site, e.deviceId, e.location).system;
      return s.type === component.system.type && s.address === component.system.address;
    });
    units.push({ type: 1, states: [{ system: component.system, status: flagsOf(sameSystem, systemStatus()), time }] });
  }
  return units;
}

/** The raised events after `event`: the context's (or none), without the one it ends, with it if it raises. */
function stillRaised(event: GatewayEvent, active: readonly GatewayEvent[] | undefined): GatewayEvent[] {
  const others = (active ?? []).filter((e) => RAISING.has(e.kind) && e.id !== event.id && e.id !== event.restores);
  return RAISING.has(event.kind) ? [...others, event] : others;
}

/** A condition of the gateway itself (its faults), not of a component; an alarm is always a component's. */
function isGatewayOwn(e: GatewayEvent, site: Gbt26875Site): boolean {
  return e.deviceId === site.gatewayId && e.kind !== 'alarm';
}

function isFireAlarm(e: GatewayEvent): boolean {
  return e.kind === 'alarm' && e.severity === 'fire';
}

/** Fire, supervisory and fault set from raised events, on a normal state. */
function flagsOf<S extends ComponentStatus | SystemStatus>(raised: readonly GatewayEvent[], status: S): S {
  for (const e of raised) {
    if (isFireAlarm(e)) status.fire = true;
    else if (e.kind === 'alarm') status.supervisory = true;
    else status.fault = true;
  }
  return status;
}
