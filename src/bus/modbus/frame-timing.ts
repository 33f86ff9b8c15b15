import type { Parity } from '../../config/types.js';

export interface SerialFormat {
  baudRate: number;
  dataBits?: 7 | 8;
  parity?: Parity;
  stopBits?: 1 | 2;
}

/**
 * The Modbus serial line spec (V1.02 §2.5.1) defines the RTU character as 11 bits: start, 8 data,
 * parity, stop, with a second stop bit standing in for a missing parity bit. Many field devices run
 * 8N1 (10 bits on the wire) anyway; timing them as 11 bits gives a gap ~10% longer than the line
 * strictly needs, which costs nothing and keeps devices that follow the spec's timing happy.
 */
export const RTU_SPEC_CHARACTER_BITS = 11;

/** Above this baud rate the spec fixes t3.5 instead of scaling it (§2.5.1.1). */
export const FIXED_GAP_ABOVE_BAUD = 19_200;
export const FIXED_GAP_MS = 1.75;

/** Bits per character on the wire: 1 start + data + parity + stop. */
export function characterBits(format: SerialFormat): number {
  const parityBits = format.parity === undefined || format.parity === 'none' ? 0 : 1;
  return 1 + (format.dataBits ?? 8) + parityBits + (format.stopBits ?? 1);
}

/** Time to send one character, in ms, never counted as less than the spec's 11-bit character. */
export function characterTimeMs(format: SerialFormat): number {
  const bits = Math.max(characterBits(format), RTU_SPEC_CHARACTER_BITS);
  return (bits * 1000) / format.baudRate;
}

/**
 * The RTU inter-frame gap t3.5: 3.5 character times, fixed at 1.75 ms above 19200 baud.
 * 9600 8N1 → 4.01 ms; 19200 → 2.00 ms; 38400 and up → 1.75 ms.
 */
export function interFrameGapMs(format: SerialFormat): number {
  if (!(format.baudRate > 0)) throw new RangeError(`baud rate must be positive, got ${format.baudRate}`);
  if (format.baudRate > FIXED_GAP_ABOVE_BAUD) return FIXED_GAP_MS;
  return 3.5 * characterTimeMs(format);
}
