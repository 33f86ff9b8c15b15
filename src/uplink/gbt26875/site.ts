import type { Location } from '../../model/location.js';
import { checkInt } from './bytes.js';
import { componentAddress, type LoopPoint } from './component-address.js';
import { ComponentType, componentTypeForKind } from './component-types.js';
import { SystemType } from './constants.js';
import type { SystemRef } from './units.js';

/**
 * How the centre sees this site: for every device of hearth, the building fire facility system it
 * belongs to, its component type, its component address and its description. Built once from the
 * configuration; eventUnits() reads it.
 */
export interface Gbt26875Component {
  system: SystemRef;
  /** §8.2.1.2 table 5 */
  componentType: number;
  /** 4-byte component address (component-address.ts) */
  address: number;
  /** Sent as GB 18030, cut to 31 bytes on a character boundary. */
  description: string;
}

export interface Gbt26875Site {
  /** Events of this device id are the gateway's own (type 21), not a component's. */
  gatewayId: string;
  /** The system a device belongs to unless overridden, and the one type-4 operations name. */
  system: SystemRef;
  components: ReadonlyMap<string, Gbt26875Component>;
}

/** Per-device settings that win over the defaults (the config's gbt26875 device overrides). */
export interface Gbt26875DeviceOverride {
  system?: SystemRef;
  componentType?: number;
  /** A raw 4-byte address, or a loop and point. */
  address?: number | LoopPoint;
  description?: string;
}

export interface Gbt26875SiteOptions {
  /** Default {type 1 (fire alarm system), address 1}: hearth's detectors form the building's fire alarm system. */
  system?: SystemRef;
  overrides?: Readonly<Record<string, Gbt26875DeviceOverride>>;
}

/** What buildGbt26875Site reads from a HearthConfig. */
export interface SiteConfig {
  gateway: { id: string };
  buses: readonly { id: string }[];
  devices: readonly { id: string; name?: string; bus: string; address: number; location: Location }[];
  gpio?: { inputs: readonly { id: string; name?: string; pin?: number; location: Location }[] };
  tags?: { readers: readonly { id: string; name?: string; location: Location }[] };
}

/** Loop numbers of the devices that are not on a field bus (docs/gbt26875.md, "Addresses"). */
export const GPIO_INPUT_LOOP = 200;
export const TAG_READER_LOOP = 201;

/**
 * The site from a configuration and its device profiles (device id → profile, for `kind`). Default
 * addresses: a Modbus device is loop (its bus's position in `buses`, from 1), point (its unit id); a
 * GPIO input is loop 200, point its BCM pin (or its position, from 1); a tag reader loop 201, point
 * its position. Throws GBT26875_RANGE for an override that does not fit its bytes.
 */
export function buildGbt26875Site(config: SiteConfig, profiles: ReadonlyMap<string, { kind: string }>, options: Gbt26875SiteOptions = {}): Gbt26875Site {
  const system = checkSystem(options.system ?? { type: SystemType.fireAlarm, address: 1 }, 'site system');
  const components = new Map<string, Gbt26875Component>();
  const add = (device: { id: string; name?: string; location: Location }, componentType: number, at: LoopPoint): void => {
    const o = options.overrides?.[device.id] ?? {};
    const address = o.address === undefined ? at : o.address;
    components.set(device.id, {
      system: checkSystem(o.system ?? system, `${device.id}: system`),
      componentType: checkInt(o.componentType ?? componentType, 0, 0xff, `${device.id}: component type`),
      address: typeof address === 'number' ? checkInt(address, 0, 0xffffffff, `${device.id}: component address`) : componentAddress(address),
      description: o.description ?? describe(device.name, device.location, device.id),
    });
  };
  for (const d of config.devices) {
    add(d, componentTypeForKind(profiles.get(d.id)?.kind), { loop: config.buses.findIndex((b) => b.id === d.bus) + 1, point: d.address });
  }
  (config.gpio?.inputs ?? []).forEach((input, i) => add(input, ComponentType.inputModule, { loop: GPIO_INPUT_LOOP, point: input.pin ?? i + 1 }));
  (config.tags?.readers ?? []).forEach((reader, i) => add(reader, ComponentType.general, { loop: TAG_READER_LOOP, point: i + 1 }));
  return { gatewayId: config.gateway.id, system, components };
}

/**
 * The component of a device id. A device the site does not know (removed from the config while its
 * events were still queued) still goes out, as a general component at address 0 described by its
 * location: a fire alarm is never dropped for want of an address.
 */
export function componentOf(site: Gbt26875Site, deviceId: string, location: Location): Gbt26875Component {
  return site.components.get(deviceId) ?? { system: site.system, componentType: ComponentType.general, address: 0, description: describe(undefined, location, deviceId) };
}

/** The installer's name for the device, else where it is, else its id. */
function describe(name: string | undefined, location: Location, id: string): string {
  if (name !== undefined && name.trim() !== '') return name.trim();
  const where = [location.building, location.floor, location.room, location.note].filter((s) => s !== undefined && String(s).trim() !== '').join(' ');
  return where !== '' ? where : id;
}

function checkSystem(s: SystemRef, field: string): SystemRef {
  return { type: checkInt(s.type, 0, 0xff, `${field} type`), address: checkInt(s.address, 0, 0xff, `${field} address`) };
}
