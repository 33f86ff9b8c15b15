import {
  ModbusCrcError,
  ModbusError,
  ModbusExceptionError,
  ModbusMalformedError,
  ModbusTimeoutError,
} from './errors.js';
import type { UnitCounters } from './types.js';

/**
 * Per-unit counters as the device runtime reads them. `responses` counts every intact reply,
 * exception replies included (the slave is alive and answering); `lastOkAt` (epoch ms) moves only
 * on replies that carried data or confirmed a write.
 */
export class UnitCounterBook {
  private readonly units = new Map<number, UnitCounters>();

  get(unit: number): UnitCounters {
    let c = this.units.get(unit);
    if (c === undefined) {
      c = { requests: 0, responses: 0, timeouts: 0, crcErrors: 0, exceptions: 0, malformed: 0, retries: 0 };
      this.units.set(unit, c);
    }
    return c;
  }

  ok(unit: number): void {
    const c = this.get(unit);
    c.responses++;
    c.lastOkAt = Date.now();
  }

  failed(unit: number, err: unknown): void {
    const c = this.get(unit);
    if (err instanceof ModbusTimeoutError) c.timeouts++;
    else if (err instanceof ModbusCrcError) c.crcErrors++;
    else if (err instanceof ModbusMalformedError) c.malformed++;
    else if (err instanceof ModbusExceptionError) {
      c.exceptions++;
      c.responses++;
    }
    c.lastError = err instanceof ModbusError ? `${err.code}: ${err.message}` : String(err);
  }

  /** Garbage seen during an exchange that otherwise ended some other way. */
  garbage(unit: number): void {
    this.get(unit).malformed++;
  }

  /** Copies, so a caller cannot change the bus's own counts. */
  snapshot(): Map<number, UnitCounters> {
    return new Map([...this.units].map(([unit, c]) => [unit, { ...c }]));
  }
}
