import { decodeValue } from '../../../drivers/modbus/decode.js';
import type { ByteOrder, ModbusPointDef, ModbusProfile, WordOrder } from '../../../drivers/modbus/profile-types.js';
import type { RecordedReads } from './recording-bus.js';

/**
 * A hint when a 32-bit value looks decoded in the wrong order: the configured order gives an absurd
 * value (a float32 denormal like 2.4e-41, outside the point's min/max, astronomically large) while
 * another order of the same registers gives a plausible one. The commonest case is a device that
 * sends the low word first (CDAB) under a profile that says ABCD. Only a hint: the installer
 * compares with the device's own display before changing the profile.
 */

const ORDER_NAMES: Record<string, string> = { 'big/big': 'ABCD', 'big/little': 'CDAB', 'little/big': 'BADC', 'little/little': 'DCBA' };
/** Smallest normal float32: anything non-zero below it is a denormal, never a real measurement. */
const FLOAT32_MIN_NORMAL = 1.1754944e-38;
const ASTRONOMICAL = 1e12;

export function wordOrderHints(profile: ModbusProfile, reads: RecordedReads): string[] {
  const hints: string[] = [];
  for (const p of profile.points) {
    if (p.type !== 'int32' && p.type !== 'uint32' && p.type !== 'float32') continue;
    if (p.area !== 'holding' && p.area !== 'input') continue;
    const first = reads.word(p.area, p.address);
    const second = reads.word(p.area, p.address + 1);
    if (first === undefined || second === undefined) continue;
    const words = [first, second];
    const configured = { byteOrder: p.byteOrder, wordOrder: p.wordOrder };
    const value = decoded(p, words, configured);
    if (!absurd(p, value)) continue;
    const flip = (o: 'big' | 'little'): 'big' | 'little' => (o === 'big' ? 'little' : 'big');
    const alternatives = [
      { byteOrder: p.byteOrder, wordOrder: flip(p.wordOrder) },
      { byteOrder: flip(p.byteOrder), wordOrder: p.wordOrder },
      { byteOrder: flip(p.byteOrder), wordOrder: flip(p.wordOrder) },
    ];
    for (const alt of alternatives) {
      const v = decoded(p, words, alt);
      if (absurd(p, v)) continue;
      const unit = p.unit ? ` ${p.unit}` : '';
      const limits = p.min !== undefined || p.max !== undefined ? `, within ${p.min ?? '…'}..${p.max ?? '…'}` : '';
      const set = [alt.wordOrder !== p.wordOrder ? `wordOrder: ${alt.wordOrder}` : '', alt.byteOrder !== p.byteOrder ? `byteOrder: ${alt.byteOrder}` : ''].filter(Boolean).join(', ');
      hints.push(
        `${p.name} reads ${value === undefined ? 'no number' : short(value)}${unit} in the profile's order ${orderName(configured)}; ` +
          `the same registers in ${orderName(alt)} order read ${short(v!)}${unit}${limits}. ` +
          `If the device's display agrees, set ${set} on ${p.name} in profile ${profile.name}${profile.sourcePath ? ` (${profile.sourcePath})` : ''}.`,
      );
      break;
    }
  }
  return hints;
}

function decoded(p: ModbusPointDef, words: number[], order: { byteOrder: ByteOrder; wordOrder: WordOrder }): number | undefined {
  const raw = decodeValue(words, 0, p.type, order.byteOrder, order.wordOrder);
  if (typeof raw !== 'number') return undefined;
  if (p.type === 'float32' && raw !== 0 && Math.abs(raw) < FLOAT32_MIN_NORMAL) return raw; // kept raw: absurd() names it
  return raw * (p.scale ?? 1) + (p.offset ?? 0);
}

function absurd(p: ModbusPointDef, v: number | undefined): boolean {
  if (v === undefined || !Number.isFinite(v)) return true;
  if (p.type === 'float32' && v !== 0 && Math.abs(v) < FLOAT32_MIN_NORMAL) return true;
  if (Math.abs(v) > ASTRONOMICAL) return true;
  return (p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max);
}

/** 6 significant digits: enough to compare with a display, short enough for a phone. */
function short(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function orderName(o: { byteOrder: string; wordOrder: string }): string {
  return ORDER_NAMES[`${o.byteOrder}/${o.wordOrder}`] ?? `${o.byteOrder}/${o.wordOrder}`;
}
