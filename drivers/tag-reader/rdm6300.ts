import { hexValue } from './decoder.js';
import { FrameScanner, type FrameAt } from './frame-scanner.js';

/**
 * RDM6300-style 125 kHz readers (EM4100 tags), 9600 8N1. A frame is 14 bytes:
 *   0x02 | 10 ASCII hex (version byte + 4-byte card number) | 2 ASCII hex checksum | 0x03
 * The checksum is the XOR of the five data bytes. Readers repeat the frame while the tag is in the
 * field; turning repeats into one arrival is the presence tracker's job, not the decoder's.
 */
export const RDM6300_FRAME_LENGTH = 14;
const STX = 0x02;
const ETX = 0x03;

export class Rdm6300Decoder extends FrameScanner {
  constructor() {
    super(STX, frameAt);
  }
}

function frameAt(buf: Buffer, at: number): FrameAt {
  if (buf.length - at < RDM6300_FRAME_LENGTH) return { kind: 'incomplete' };
  const result = decodeAt(buf, at);
  if (result === 'malformed') return { kind: 'noise' };
  if (result === 'checksum') return { kind: 'checksum', length: RDM6300_FRAME_LENGTH };
  return { kind: 'tag', id: result, length: RDM6300_FRAME_LENGTH };
}

function decodeAt(buf: Buffer, at: number): string | 'malformed' | 'checksum' {
  if (buf[at + 13] !== ETX) return 'malformed';
  let xor = 0;
  for (let k = 0; k < 6; k++) {
    const hi = hexValue(buf[at + 1 + 2 * k]!);
    const lo = hexValue(buf[at + 2 + 2 * k]!);
    if (hi < 0 || lo < 0) return 'malformed';
    const byte = (hi << 4) | lo;
    if (k < 5) xor ^= byte;
    else if (byte !== xor) return 'checksum';
  }
  return buf.toString('latin1', at + 1, at + 11).toUpperCase();
}

/** A frame for a 10-hex-digit tag id, as the reader sends it (simulators and tests). */
export function encodeRdm6300(id: string, opts: { badChecksum?: boolean } = {}): Buffer {
  if (!/^[0-9A-Fa-f]{10}$/.test(id)) throw new Error(`RDM6300 tag id must be 10 hex digits, got '${id}'`);
  let xor = 0;
  for (let k = 0; k < 5; k++) xor ^= Number.parseInt(id.slice(2 * k, 2 * k + 2), 16);
  if (opts.badChecksum) xor ^= 0x5a;
  const body = `${id.toUpperCase()}${xor.toString(16).toUpperCase().padStart(2, '0')}`;
  return Buffer.concat([Buffer.from([STX]), Buffer.from(body, 'latin1'), Buffer.from([ETX])]);
}
