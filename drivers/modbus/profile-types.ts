import type { Static } from '@sinclair/typebox';
import type { commandParamSchema, commandSchema } from './profile-command-schema.js';
import type { bitFieldSchema, bitSchema, modbusProfileSchema, pointSchema, readLimitsSchema } from './profile-schema.js';

/** Types of a loaded device profile, derived from its schema (./profile-schema.ts). */

/** A device model as data: what to read, where, and how to decode it. */
export interface ModbusProfile extends Static<typeof modbusProfileSchema> {
  /** File stem, the name devices refer to (`profile: example-smoke-detector`). */
  name: string;
  /** Absolute path of the file it was loaded from. */
  sourcePath?: string;
}

/** One value point: a register (or two) or a coil/discrete input. */
export type ModbusPointDef = Static<typeof pointSchema>;
/** One named bit of a status register. Bit 0 is the least significant bit of the register value. */
export type BitDef = Static<typeof bitSchema>;
/** A 16-bit register whose bits are separate boolean points (alarm, fault, tamper flags). */
export type BitFieldDef = Static<typeof bitFieldSchema>;
/** A named command: what it writes, its parameters and read-back (./command-schema.ts). */
export type CommandDef = Static<typeof commandSchema>;
export type CommandParamDef = Static<typeof commandParamSchema>;

/** How the driver may batch reads: devices differ in what they accept. */
export type ReadLimits = Static<typeof readLimitsSchema>;

/** Order of the two bytes inside one 16-bit register; Modbus itself is big-endian. */
export type ByteOrder = ModbusProfile['byteOrder'];
/** Order of the two registers of a 32-bit value: big = high word at the lower address. */
export type WordOrder = ModbusProfile['wordOrder'];
export type ValueType = ModbusPointDef['type'];

/** A rule a profile breaks, at a path inside the profile file. */
export interface ProfileFinding {
  segments: (string | number)[];
  message: string;
}
