import { RegisterMap } from '../../../src/bus/modbus/register-map.js';
import { startModbusTcpServer, type ModbusTcpServer } from '../../../src/bus/modbus/tcp-server.js';

/**
 * The footprint bench's field devices: one in-process Modbus TCP slave serving units 1..n. Input
 * register 0 of each unit is a sequence number that goes up by one every time it is read, and the
 * moment of each read is kept, so a subscriber that sees (unit, seq) knows when that value left the
 * device: serve→publish latency and losses are counted per reading, whoever polled it.
 *
 * Input register 1, bit 0, is the unit's fire alarm. Quiet until `alarmsActive(true)`; then each
 * unit is in alarm for ALARM_PERIOD/2 reads out of ALARM_PERIOD, at its own phase, until
 * `alarmsActive(false)` restores them all. The state served with each sequence number is kept
 * (`alarms`): the read that first served a new state is when the alarm (or restore) left the
 * device, serve→publish for events.
 */
export const ALARM_PERIOD = 40;

function alarmAt(unit: number, seq: number): boolean {
  return (seq + ((unit * 7) % ALARM_PERIOD)) % ALARM_PERIOD >= ALARM_PERIOD / 2;
}

export interface CountingSlave {
  readonly port: number;
  /** Serve time (performance.now()) of every sequence number of a unit, index = seq. */
  served(unit: number): readonly number[];
  /** The alarm bit served with every sequence number of a unit, index = seq. */
  alarms(unit: number): readonly boolean[];
  /** Starts (true) or ends (false, every unit restored) the alarm changes. */
  alarmsActive(on: boolean): void;
  /** Holds one unit's alarm bit set (true) or lets it go (false), whatever alarmsActive says. */
  holdAlarm(unit: number, on: boolean): void;
  /** Reads served so far, all units. */
  total(): number;
  close(): Promise<void>;
}

class CountingMap extends RegisterMap {
  readonly serveTimes = new Map<number, number[]>();
  readonly alarmBits = new Map<number, boolean[]>();
  alarmsOn = false;
  readonly held = new Set<number>();
  count = 0;

  override readRegisters(unit: number, area: 'holding' | 'input', address: number, count: number): number[] {
    const times = this.serveTimes.get(unit);
    if (area === 'input' && address === 0 && times !== undefined) {
      // seq 0 is never served: a default-zero register cannot be mistaken for a reading.
      times.push(performance.now());
      const seq = times.length - 1;
      this.set(unit, 'input', 0, seq & 0xffff);
      const alarm = this.held.has(unit) || (this.alarmsOn && alarmAt(unit, seq));
      this.alarmBits.get(unit)?.push(alarm);
      this.set(unit, 'input', 1, alarm ? 1 : 0);
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
    map.alarmBits.set(u, [false]);
  }
  const server: ModbusTcpServer = await startModbusTcpServer({ map });
  return {
    port: server.port,
    served: (unit) => map.serveTimes.get(unit) ?? [],
    alarms: (unit) => map.alarmBits.get(unit) ?? [],
    alarmsActive: (on) => void (map.alarmsOn = on),
    holdAlarm: (unit, on) => void (on ? map.held.add(unit) : map.held.delete(unit)),
    total: () => map.count,
    close: () => server.close(),
  };
}
