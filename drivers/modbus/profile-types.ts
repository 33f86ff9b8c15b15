import type { Severity } from '../../src/model/event.js';
import type { PointRole, ThresholdSpec } from '../../src/model/point.js';
import type { ModbusArea } from '../../src/bus/modbus/types.js';

/** Order of the two bytes inside one 16-bit register; Modbus itself is big-endian. */
export type ByteOrder = 'big' | 'little';
/** Order of the two registers of a 32-bit value: big = high word at the lower address. */
export type WordOrder = 'big' | 'little';

export type ValueType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'bool';

/** One value point: a register (or two) or a coil/discrete input. */
export interface ModbusPointDef {
  name: string;
  description?: string;
  area: ModbusArea;
  /** 0-based protocol address (what goes on the wire), not the 40001-style register number. */
  address: number;
  type: ValueType;
  byteOrder: ByteOrder;
  wordOrder: WordOrder;
  scale?: number;
  offset?: number;
  unit?: string;
  min?: number;
  max?: number;
  thresholds?: ThresholdSpec;
  deadband?: number;
  maxSilenceMs?: number;
  /** bool points only. */
  role?: PointRole;
  severity?: Severity;
  activeLow?: boolean;
}

/** One named bit of a status register. Bit 0 is the least significant bit of the register value. */
export interface BitDef {
  bit: number;
  name: string;
  description?: string;
  role: PointRole;
  severity?: Severity;
  activeLow?: boolean;
}

/** A 16-bit register whose bits are separate boolean points (alarm, fault, tamper flags). */
export interface BitFieldDef {
  area: 'holding' | 'input';
  address: number;
  description?: string;
  bits: BitDef[];
}

/** How the driver may batch reads: devices differ in what they accept. */
export interface ReadLimits {
  /** Registers per request; Modbus allows 125, some devices accept fewer. */
  maxRegisters: number;
  /** Coils/discrete inputs per request; Modbus allows 2000. */
  maxBits: number;
  /** Unused addresses a request may span to save a round trip. 0 = only contiguous. */
  maxGap: number;
}

/** A device model as data: what to read, where, and how to decode it. */
export interface ModbusProfile {
  /** File stem, the name devices refer to (`profile: example-smoke-detector`). */
  name: string;
  model: string;
  manufacturer?: string;
  kind: string;
  description?: string;
  /** The register map is an example to be checked against the vendor's manual. */
  example: boolean;
  byteOrder: ByteOrder;
  wordOrder: WordOrder;
  reads: ReadLimits;
  points: ModbusPointDef[];
  bitFields: BitFieldDef[];
  /** Absolute path of the file it was loaded from. */
  sourcePath?: string;
}
