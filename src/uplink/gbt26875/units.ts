import type { ComponentStatus, DeviceOperationFlags, DeviceStatus, SystemOperationFlags, SystemStatus } from './flags.js';

/**
 * Application data units (§7 figure 5, §8.3): a type flag, an object count, the information objects,
 * each with its time tag where the type has one. One unit travels in one frame. Field names follow
 * the standard's figures; every number is checked against its byte width when encoded.
 */

/** A building fire facility system: type (§8.2.1.1 table 4) and address (0–255, set by the facility). */
export interface SystemRef {
  type: number;
  address: number;
}

/**
 * A component of a system. `address` is the 4-byte component address (§8.2.1.2), 0 – 2^32−1; the
 * standard does not divide it, hearth writes loop × 65536 + point (component-address.ts).
 */
export interface ComponentRef {
  system: SystemRef;
  address: number;
}

/** §8.2.1.1 + time of the state (§8.3.1.1). */
export interface SystemState {
  system: SystemRef;
  status: SystemStatus;
  time: Date;
}

/** §8.2.1.2 + time of the state (§8.3.1.2). `description`: GB 18030 text, at most 31 bytes on the wire. */
export interface ComponentState extends ComponentRef {
  /** §8.2.1.2 table 5 */
  componentType: number;
  status: ComponentStatus;
  description: string;
  time: Date;
}

/** §8.2.1.3 + sampling time (§8.3.1.3). `value` is the raw signed 16-bit count of the type's unit (table 6). */
export interface AnalogueValue extends ComponentRef {
  componentType: number;
  /** table 6 (constants.ts AnalogueType) */
  analogueType: number;
  value: number;
  time: Date;
}

/** §8.2.1.4 + time of the operation (§8.3.1.4). */
export interface SystemOperation {
  system: SystemRef;
  flags: SystemOperationFlags;
  /** Operator number, defined by the facility. */
  operator: number;
  time: Date;
}

/** §8.2.1.5 / §8.2.1.10 */
export interface SoftwareVersion {
  major: number;
  minor: number;
}

/** §8.2.1.6: GB 18030 text of at most 255 bytes. */
export interface SystemConfiguration {
  system: SystemRef;
  description: string;
}

/** §8.2.1.7 */
export interface ComponentConfiguration extends ComponentRef {
  componentType: number;
  description: string;
}

/** §8.2.1.8 + time of the state (§8.3.1.9). */
export interface DeviceState {
  status: DeviceStatus;
  time: Date;
}

/** §8.2.1.9 + time of the operation (§8.3.1.10). */
export interface DeviceOperation {
  flags: DeviceOperationFlags;
  /** Operator number, defined by the site. */
  operator: number;
  time: Date;
}

/** What the centre asks for in reads 64 and 84 (§8.3.2.4, §8.3.2.10): how many records, from when. */
export interface OperationQuery {
  count: number;
  from: Date;
}

/** Uploads (§8.3.1): sent with command `send`, or `reply` when they answer a read. */
export type UploadUnit =
  | { type: 1; states: SystemState[] }
  | { type: 2; components: ComponentState[] }
  | { type: 3; values: AnalogueValue[] }
  | { type: 4; operations: SystemOperation[] }
  | { type: 5; system: SystemRef; version: SoftwareVersion }
  | { type: 6; systems: SystemConfiguration[] }
  | { type: 7; components: ComponentConfiguration[] }
  | { type: 8; system: SystemRef; time: Date }
  | { type: 21; state: DeviceState }
  | { type: 24; operations: DeviceOperation[] }
  | { type: 25; version: SoftwareVersion }
  /** §8.2.1.11: GB 18030 text of at most 255 bytes. */
  | { type: 26; description: string }
  | { type: 28; time: Date };

/** The centre's reads (command `request`) and controls (command `control`), §8.3.2. */
export type CentreUnit =
  | { type: 61; systems: SystemRef[] }
  | { type: 62; components: ComponentRef[] }
  | { type: 63; components: ComponentRef[] }
  | { type: 64; system: SystemRef; query: OperationQuery }
  | { type: 65; system: SystemRef }
  | { type: 66; systems: SystemRef[] }
  | { type: 67; components: ComponentRef[] }
  | { type: 68; system: SystemRef }
  | { type: 81 }
  | { type: 84; query: OperationQuery }
  | { type: 85 }
  | { type: 86 }
  | { type: 88 }
  /** Initialise the transmission device. */
  | { type: 89 }
  /** Set the transmission device's clock to the centre's time. */
  | { type: 90; time: Date }
  /** Duty check (查岗): someone on site answers within `timeoutMinutes` (type 24, dutyCheckAnswer). */
  | { type: 91; timeoutMinutes: number };

export type ApplicationDataUnit = UploadUnit | CentreUnit;
export type UnitType = ApplicationDataUnit['type'];
export type UnitOf<T extends UnitType> = Extract<ApplicationDataUnit, { type: T }>;
