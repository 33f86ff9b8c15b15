import type { RegisterMap } from '../bus/modbus/register-map.js';
import { encodeValue } from '../../drivers/modbus/decode.js';
import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import type { PointValues } from './scenarios.js';

/**
 * Writes engineering values into a unit's registers exactly as a device with this profile would
 * hold them: the inverse of the driver's decode plus the runtime's scale and offset. The demo and
 * the tests thereby exercise the real decode path, not a shortcut.
 */
export function writeProfileValues(map: RegisterMap, unit: number, profile: ModbusProfile, values: PointValues): void {
  for (const p of profile.points) {
    const v = values[p.name];
    if (v === undefined) continue;
    if (p.type === 'bool') {
      const active = p.activeLow ? !v : Boolean(v);
      if (p.area === 'coil' || p.area === 'discrete') map.set(unit, p.area, p.address, active);
      else map.set(unit, p.area, p.address, active ? 1 : 0);
      continue;
    }
    const raw = (Number(v) - (p.offset ?? 0)) / (p.scale ?? 1);
    const wire = p.type === 'float32' ? raw : Math.round(raw);
    map.set(unit, p.area, p.address, encodeValue(wire, p.type, p.byteOrder, p.wordOrder));
  }
  for (const field of profile.bitFields) {
    let word = map.get(unit, field.area, field.address)[0] ?? 0;
    for (const b of field.bits) {
      const v = values[b.name];
      if (v === undefined) continue;
      const set = b.activeLow ? !v : Boolean(v);
      word = set ? word | (1 << b.bit) : word & ~(1 << b.bit);
    }
    map.set(unit, field.area, field.address, word & 0xffff);
  }
}
