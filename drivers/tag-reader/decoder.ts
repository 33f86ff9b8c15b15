/**
 * A tag reader's byte stream → tag ids. Decoders are incremental: bytes arrive in whatever pieces
 * the serial driver hands over, so a frame may be split anywhere and several may come at once.
 * Garbage and bad checksums are counted and dropped; decoding resynchronizes on the next start byte.
 */
export interface DecoderStats {
  /** Valid frames carrying a tag id. */
  tags: number;
  /** Frames whose checksum did not match (dropped). */
  badChecksum: number;
  /** Bytes skipped while looking for a frame start, or malformed frames (dropped). */
  noiseBytes: number;
  /** Valid frames that carry no tag (command responses, errors). */
  other: number;
}

export interface TagDecoder {
  /** Feeds bytes; returns the tag ids of the frames completed by them, in order. */
  push(chunk: Uint8Array): string[];
  stats(): DecoderStats;
}

export function emptyStats(): DecoderStats {
  return { tags: 0, badChecksum: 0, noiseBytes: 0, other: 0 };
}

const HEX = '0123456789ABCDEF';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

/** Value of an ASCII hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Keeps the unconsumed tail between pushes without copying on the common whole-frame path. */
export function joinPending(pending: Buffer | undefined, chunk: Uint8Array): Buffer {
  const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return pending === undefined || pending.length === 0 ? b : Buffer.concat([pending, b]);
}
