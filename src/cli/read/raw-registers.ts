import { registerCount } from '../../../drivers/modbus/decode.js';
import type { ModbusProfile } from '../../../drivers/modbus/profile-types.js';
import type { RecordedReads } from './recording-bus.js';

/**
 * What `hearth read --raw` prints beside each value: the register(s) it came from and their words
 * as the device sent them (`ir1-2 0x0000 0x4148`, `ir3 0x0005 bit 0`, `co2 1`), so a wrong type,
 * scale or word order can be seen instead of guessed.
 */
export function rawRegisterText(profile: ModbusProfile, reads: RecordedReads): Map<string, string> {
  const prefix = { input: 'ir', holding: 'hr', coil: 'co', discrete: 'di' } as const;
  const out = new Map<string, string>();
  for (const p of profile.points) {
    if (p.area === 'coil' || p.area === 'discrete') {
      out.set(p.name, `${prefix[p.area]}${p.address} ${show(reads.word(p.area, p.address), String)}`);
      continue;
    }
    const n = registerCount(p.type);
    const words = Array.from({ length: n }, (_, i) => show(reads.word(p.area, p.address + i), hex));
    out.set(p.name, `${prefix[p.area]}${p.address}${n === 2 ? `-${p.address + 1}` : ''} ${words.join(' ')}`);
  }
  for (const f of profile.bitFields) {
    const word = show(reads.word(f.area, f.address), hex);
    for (const b of f.bits) out.set(b.name, `${prefix[f.area]}${f.address} ${word} bit ${b.bit}`);
  }
  return out;
}

export function hex(word: number): string {
  return `0x${word.toString(16).padStart(4, '0')}`;
}

function show(v: number | undefined, format: (n: number) => string): string {
  return v === undefined ? '(not read)' : format(v);
}
