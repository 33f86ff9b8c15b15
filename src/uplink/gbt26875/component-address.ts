import { checkInt } from './bytes.js';

/**
 * The 4-byte component address (§8.2.1.2) is "a 4-byte binary number, low byte first" and nothing
 * more: the standard does not say how a panel's loop and point go into it. hearth puts the point in
 * the low 16 bits and the loop in the high 16 bits, which is how the public captures read (bytes
 * `d9 00 06 00` for loop 6 point 217; `01 00 01 00` for "board 1 loop 1 point 1"). A centre that
 * numbers differently gets a raw number per device (config override).
 */
export interface LoopPoint {
  loop: number;
  point: number;
}

export function componentAddress(at: LoopPoint): number {
  return checkInt(at.loop, 0, 0xffff, 'loop') * 0x10000 + checkInt(at.point, 0, 0xffff, 'point');
}

export function loopAndPoint(address: number): LoopPoint {
  return { loop: Math.floor(address / 0x10000), point: address % 0x10000 };
}
