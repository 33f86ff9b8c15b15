import type { ModbusArea } from './types.js';

/**
 * The registers of simulated field devices, keyed by unit id: four zero-based areas per unit
 * (holding, input, coil, discrete), all zero until set. Shared by the simulator bus and the
 * in-process Modbus TCP server, so a test or a demo scenario changes a value in one place and
 * every way of reading it sees the change.
 */
export type AreaInit = Partial<Record<ModbusArea, Record<number, number | boolean | (number | boolean)[]>>>;

/** What a real slave would answer with an exception (codes as in errors.ts). */
export class SlaveException extends Error {
  constructor(readonly exceptionCode: number, message: string) {
    super(message);
    this.name = 'SlaveException';
  }
}

export const ILLEGAL_DATA_ADDRESS = 0x02;
export const ILLEGAL_DATA_VALUE = 0x03;

export interface RegisterChange {
  unit: number;
  area: ModbusArea;
  address: number;
  count: number;
  /** True when a Modbus master wrote it (a remote command), false for set() from code. */
  byMaster: boolean;
}

interface UnitAreas {
  holding: Uint16Array;
  input: Uint16Array;
  coil: Uint8Array;
  discrete: Uint8Array;
}

export class RegisterMap {
  private readonly units = new Map<number, UnitAreas>();
  private readonly listeners = new Set<(change: RegisterChange) => void>();

  /** `size`: addresses per area; beyond it a read or write is an illegal data address. */
  constructor(readonly size = 1000) {}

  addUnit(unit: number, init: AreaInit = {}): this {
    this.units.set(unit, {
      holding: new Uint16Array(this.size),
      input: new Uint16Array(this.size),
      coil: new Uint8Array(this.size),
      discrete: new Uint8Array(this.size),
    });
    for (const [area, values] of Object.entries(init) as [ModbusArea, Record<number, number | boolean | (number | boolean)[]>][]) {
      for (const [address, value] of Object.entries(values)) this.set(unit, area, Number(address), value);
    }
    return this;
  }

  hasUnit(unit: number): boolean {
    return this.units.has(unit);
  }

  unitIds(): number[] {
    return [...this.units.keys()];
  }

  /** Set values from code (tests, scenarios); booleans and numbers both work for bit areas. */
  set(unit: number, area: ModbusArea, address: number, value: number | boolean | (number | boolean)[]): void {
    const values = Array.isArray(value) ? value : [value];
    const store = this.area(unit, area, address, values.length);
    values.forEach((v, i) => {
      store[address + i] = isBitArea(area) ? (v ? 1 : 0) : Number(v) & 0xffff;
    });
    this.emit({ unit, area, address, count: values.length, byMaster: false });
  }

  /** Registers as numbers, bits as 0/1. */
  get(unit: number, area: ModbusArea, address: number, count = 1): number[] {
    return Array.from(this.area(unit, area, address, count).subarray(address, address + count));
  }

  readRegisters(unit: number, area: 'holding' | 'input', address: number, count: number): number[] {
    return this.get(unit, area, address, count);
  }

  readBits(unit: number, area: 'coil' | 'discrete', address: number, count: number): boolean[] {
    return this.get(unit, area, address, count).map((b) => b === 1);
  }

  /** A master's write: only holding registers and coils are writable over Modbus. */
  write(unit: number, area: 'holding' | 'coil', address: number, values: number[] | boolean[]): void {
    const store = this.area(unit, area, address, values.length);
    values.forEach((v, i) => {
      store[address + i] = area === 'coil' ? (v ? 1 : 0) : Number(v);
    });
    this.emit({ unit, area, address, count: values.length, byMaster: true });
  }

  /** Called after every change; returns an unsubscribe function. */
  onChange(listener: (change: RegisterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private area(unit: number, area: ModbusArea, address: number, count: number): Uint16Array | Uint8Array {
    const areas = this.units.get(unit);
    if (areas === undefined) throw new RangeError(`unit ${unit} is not in this register map`);
    if (!Number.isInteger(address) || address < 0 || count < 1 || address + count > this.size) {
      throw new SlaveException(ILLEGAL_DATA_ADDRESS, `${area} ${address}+${count} outside 0-${this.size - 1}`);
    }
    return areas[area];
  }

  private emit(change: RegisterChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A faulty listener must not break the simulated device.
      }
    }
  }
}

function isBitArea(area: ModbusArea): boolean {
  return area === 'coil' || area === 'discrete';
}
