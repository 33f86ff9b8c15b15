import { Gbt26875Error } from './errors.js';

/**
 * Bounds-checked little-endian reads and writes: every multi-byte number in GB/T 26875.3 goes low
 * byte first (§6.6 table 1, §8.2.1.1–8.2.1.3), and a short buffer must become a typed error, never a
 * RangeError from Buffer.
 */
export class ByteReader {
  private at = 0;

  constructor(
    private readonly buf: Uint8Array,
    /** Names the structure in error messages ("type 2 object 3"). */
    private readonly what: string,
  ) {}

  remaining(): number {
    return this.buf.length - this.at;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf[this.at]! | (this.buf[this.at + 1]! << 8);
    this.at += 2;
    return v;
  }

  i16(): number {
    const v = this.u16();
    return v >= 0x8000 ? v - 0x10000 : v;
  }

  u32(): number {
    const lo = this.u16();
    return lo + this.u16() * 0x10000;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** Every byte used: what the count announced is all there is. */
  end(): void {
    if (this.remaining() !== 0) throw new Gbt26875Error('GBT26875_TRAILING_BYTES', `${this.what}: ${this.remaining()} bytes after the last object`);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) {
      throw new Gbt26875Error('GBT26875_TRUNCATED', `${this.what}: needs ${this.at + n} bytes, has ${this.buf.length}`);
    }
  }
}

export class ByteWriter {
  private readonly parts: number[] = [];

  u8(v: number, field: string): this {
    this.parts.push(checkInt(v, 0, 0xff, field));
    return this;
  }

  u16(v: number, field: string): this {
    const n = checkInt(v, 0, 0xffff, field);
    this.parts.push(n & 0xff, n >>> 8);
    return this;
  }

  i16(v: number, field: string): this {
    const n = checkInt(v, -0x8000, 0x7fff, field);
    return this.u16(n < 0 ? n + 0x10000 : n, field);
  }

  u32(v: number, field: string): this {
    const n = checkInt(v, 0, 0xffffffff, field);
    this.u16(n % 0x10000, field);
    return this.u16(Math.floor(n / 0x10000), field);
  }

  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }

  get length(): number {
    return this.parts.length;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

/** `v` as an integer in [min, max], or a typed range error naming the field. */
export function checkInt(v: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new Gbt26875Error('GBT26875_RANGE', `${field}: must be an integer ${min}–${max}, got ${v}`);
  return v;
}
