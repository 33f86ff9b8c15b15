import { RegisterMap } from '../../../src/bus/modbus/register-map.js';
import { startModbusTcpServer, type ModbusTcpServer } from '../../../src/bus/modbus/tcp-server.js';

/**
 * The footprint bench's field devices: one in-process Modbus TCP slave serving units 1..n. Input
 * register 0 of each unit is a sequence number that goes up by one every time it is read, and the
 * moment of each read is kept, so a subscriber that sees (unit, seq) knows when that value left the
 * device: serve→publish latency and losses are counted per reading, whoever polled it.
 */
export interface CountingSlave {
  readonly port: number;
  /** Serve time (performance.now()) of every sequence number of a unit, index = seq. */
  served(unit: number): readonly number[];
  /** Reads served so far, all units. */
  total(): number;
  close(): Promise<void>;
}

class CountingMap extends RegisterMap {
  readonly serveTimes = new Map<number, number[]>();
  count = 0;

  override readRegisters(unit: number, area: 'holding' | 'input', address: number, count: number): number[] {
    const times = this.serveTimes.get(unit);
    if (area === 'input' && address === 0 && times !== undefined) {
      // seq 0 is never served: a default-zero register cannot be mistaken for a reading.
      times.push(performance.now());
      this.set(unit, 'input', 0, (times.length - 1) & 0xffff);
      this.count++;
    }
    return super.readRegisters(unit, area, address, count);
  }
}

export async function startCountingSlave(units: number): Promise<CountingSlave> {
  const map = new CountingMap();
  for (let u = 1; u <= units; u++) {
    map.addUnit(u);
    map.serveTimes.set(u, [NaN]);
  }
  const server: ModbusTcpServer = await startModbusTcpServer({ map });
  return {
    port: server.port,
    served: (unit) => map.serveTimes.get(unit) ?? [],
    total: () => map.count,
    close: () => server.close(),
  };
}
