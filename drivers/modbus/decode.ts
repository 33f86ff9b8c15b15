import type { ByteOrder, ValueType, WordOrder } from './profile-types.js';

/**
 * Registers -> raw values. Pure functions, no scaling: the runtime applies scale and offset once.
 *
 * Modbus sends each 16-bit register big-endian. Devices differ in how they lay out 32-bit values:
 * with bytes A (most significant) to D (least), `ABCD` is big/big, `CDAB` big bytes / little words
 * (the most common deviation), `BADC` little/big and `DCBA` little/little.
 */

/** Registers a value of this type occupies. */
export function registerCount(type: ValueType): 1 | 2 {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
}

/** Swap the two bytes of a register when the device sends them little-endian. */
export function orderBytes(word: number, byteOrder: ByteOrder): number {
  const w = word & 0xffff;
  return byteOrder === 'big' ? w : ((w & 0xff) << 8) | (w >> 8);
}

/**
 * Decode one value starting at `words[index]`. Returns undefined when the words are missing or the
 * value is not a finite number (a float32 NaN or Infinity is a device saying "no measurement").
 */
export function decodeValue(
  words: readonly number[],
  index: number,
  type: ValueType,
  byteOrder: ByteOrder = 'big',
  wordOrder: WordOrder = 'big',
): number | boolean | undefined {
  const first = words[index];
  if (first === undefined) return undefined;
  if (type === 'bool') return (first & 0xffff) !== 0;
  const view = new DataView(new ArrayBuffer(4));
  if (registerCount(type) === 1) {
    view.setUint16(0, orderBytes(first, byteOrder));
    return type === 'int16' ? view.getInt16(0) : view.getUint16(0);
  }
  const second = words[index + 1];
  if (second === undefined) return undefined;
  const [high, low] = wordOrder === 'big' ? [first, second] : [second, first];
  view.setUint16(0, orderBytes(high, byteOrder));
  view.setUint16(2, orderBytes(low, byteOrder));
  if (type === 'int32') return view.getInt32(0);
  if (type === 'uint32') return view.getUint32(0);
  const f = view.getFloat32(0);
  return Number.isFinite(f) ? f : undefined;
}

/** Bit `bit` (0 = least significant) of a register value. */
export function extractBit(word: number, bit: number): boolean {
  return ((word >> bit) & 1) === 1;
}

/** The inverse of decodeValue, for simulators and tests: a value as the device would send it. */
export function encodeValue(value: number, type: Exclude<ValueType, 'bool'>, byteOrder: ByteOrder = 'big', wordOrder: WordOrder = 'big'): number[] {
  const view = new DataView(new ArrayBuffer(4));
  if (registerCount(type) === 1) {
    if (type === 'int16') view.setInt16(0, value);
    else view.setUint16(0, value);
    return [orderBytes(view.getUint16(0), byteOrder)];
  }
  if (type === 'int32') view.setInt32(0, value);
  else if (type === 'uint32') view.setUint32(0, value);
  else view.setFloat32(0, value);
  const high = orderBytes(view.getUint16(0), byteOrder);
  const low = orderBytes(view.getUint16(2), byteOrder);
  return wordOrder === 'big' ? [high, low] : [low, high];
}
