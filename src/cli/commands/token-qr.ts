/**
 * A small QR code encoder for `hearth token --qr` (ISO/IEC 18004:2015): byte mode, error correction
 * level M, versions 1-10 (up to 213 bytes, plenty for a login link), the mask chosen by the
 * standard's penalty rules (§7.8.3). No dependency: the gateway prints the code in a terminal.
 */

// --- GF(256) arithmetic, primitive polynomial x^8+x^4+x^3+x^2+1 (0x11D), §7.5.2 ---------------
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}
const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);

/** Generator polynomial of degree n: (x - α^0)(x - α^1)…(x - α^(n-1)), highest coefficient first. */
function generator(n: number): number[] {
  let g = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] = next[j]! ^ g[j]!;
      next[j + 1] = next[j + 1]! ^ mul(g[j]!, EXP[i]!);
    }
    g = next;
  }
  return g;
}

/** Reed-Solomon error correction codewords of `data` (the remainder of data·x^n / g). */
export function rsRemainder(data: readonly number[], n: number): number[] {
  const g = generator(n);
  const r = new Array<number>(n).fill(0);
  for (const d of data) {
    const factor = d ^ r.shift()!;
    r.push(0);
    for (let i = 0; i < n; i++) r[i] = r[i]! ^ mul(g[i + 1]!, factor);
  }
  return r;
}

// --- Version tables for level M (Table 9), alignment centres (Annex E) -------------------------
/** [EC codewords per block, [blocks, data codewords per block]...] */
const BLOCKS_M: readonly [number, readonly (readonly [number, number])[]][] = [
  [10, [[1, 16]]],
  [16, [[1, 28]]],
  [26, [[1, 44]]],
  [18, [[2, 32]]],
  [24, [[2, 43]]],
  [16, [[4, 27]]],
  [18, [[4, 31]]],
  [22, [[2, 38], [2, 39]]],
  [22, [[3, 36], [2, 37]]],
  [26, [[4, 43], [1, 44]]],
];
const ALIGN: readonly (readonly number[])[] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];

const dataCapacity = (v: number): number => BLOCKS_M[v - 1]![1].reduce((n, [b, d]) => n + b * d, 0);
/** Bytes that fit in byte mode at version v: 4 mode bits and 8 (v ≤ 9) or 16 count bits. */
export const byteCapacity = (v: number): number => Math.floor((dataCapacity(v) * 8 - 4 - (v < 10 ? 8 : 16)) / 8);

export class QrTooLongError extends Error {
  readonly code = 'QR_TOO_LONG';
}

/** The QR symbol: `modules[y][x]` true = dark. */
export interface QrCode {
  version: number;
  mask: number;
  size: number;
  modules: boolean[][];
}

export function encodeQr(text: string): QrCode {
  const bytes = [...Buffer.from(text, 'utf8')];
  const version = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((v) => byteCapacity(v) >= bytes.length);
  if (version === undefined) throw new QrTooLongError(`${bytes.length} bytes do not fit a version 1-10 QR code (at most ${byteCapacity(10)})`);
  const codewords = interleave(version, dataCodewords(bytes, version));
  let best: QrCode | undefined;
  let bestPenalty = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const qr = build(version, codewords, mask);
    const p = penalty(qr.modules);
    if (p < bestPenalty) [best, bestPenalty] = [qr, p];
  }
  return best!;
}

/** Mode indicator, count, data, terminator, pad bytes 0xEC 0x11 (§7.4). */
function dataCodewords(bytes: readonly number[], version: number): number[] {
  const bits: number[] = [];
  const put = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const capacity = dataCapacity(version) * 8;
  put(0, Math.min(4, capacity - bits.length));
  while (bits.length % 8 !== 0) bits.push(0);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; out.length < dataCapacity(version); pad ^= 0xec ^ 0x11) out.push(pad);
  return out;
}

/** Split into blocks, add each block's EC codewords, interleave (§7.6). */
function interleave(version: number, data: readonly number[]): number[] {
  const [ec, groups] = BLOCKS_M[version - 1]!;
  const blocks: number[][] = [];
  let at = 0;
  for (const [count, size] of groups) {
    for (let i = 0; i < count; i++) {
      blocks.push(data.slice(at, at + size));
      at += size;
    }
  }
  const ecc = blocks.map((b) => rsRemainder(b, ec));
  const out: number[] = [];
  const longest = Math.max(...blocks.map((b) => b.length));
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.length) out.push(b[i]!);
  for (let i = 0; i < ec; i++) for (const e of ecc) out.push(e[i]!);
  return out;
}

const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

/** BCH code of `value` with generator `poly` of degree `deg` (format and version information, Annex C, D). */
export function bch(value: number, poly: number, deg: number): number {
  let r = value << deg;
  const top = 31 - Math.clz32(poly);
  while (r !== 0 && 31 - Math.clz32(r) >= top) r ^= poly << (31 - Math.clz32(r) - top);
  return (value << deg) | r;
}

function build(version: number, codewords: readonly number[], mask: number): QrCode {
  const size = 17 + 4 * version;
  const m: boolean[][] = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const fixed: boolean[][] = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const set = (x: number, y: number, dark: boolean) => {
    m[y]![x] = dark;
    fixed[y]![x] = true;
  };
  // Finder patterns with separators, timing patterns.
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx, y = cy + dy;
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        set(x, y, d !== 2 && d !== 4);
      }
    }
  }
  for (let i = 8; i < size - 8; i++) {
    set(i, 6, i % 2 === 0);
    set(6, i, i % 2 === 0);
  }
  // Alignment patterns, except where they would overlap a finder.
  const centres = ALIGN[version - 1]!;
  for (const cy of centres) {
    for (const cx of centres) {
      if ((cx === 6 && cy === 6) || (cx === 6 && cy === size - 7) || (cx === size - 7 && cy === 6)) continue;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }
  }
  // Format information (level M = 00), reserved here and written after the data.
  const format = bch((0b00 << 3) | mask, 0x537, 10) ^ 0x5412;
  const formatBit = (i: number) => ((format >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) set(8, i, formatBit(i));
  set(8, 7, formatBit(6));
  set(8, 8, formatBit(7));
  set(7, 8, formatBit(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, formatBit(i));
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, formatBit(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, formatBit(i));
  set(8, size - 8, true); // the dark module
  // Version information (versions 7 and up).
  if (version >= 7) {
    const info = bch(version, 0x1f25, 12);
    for (let i = 0; i < 18; i++) {
      const dark = ((info >>> i) & 1) === 1;
      const a = size - 11 + (i % 3), b = Math.floor(i / 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }
  // Data, in two-module columns from the right, upwards then downwards, skipping the timing column.
  let bit = 0;
  const total = codewords.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - vert : vert;
        if (fixed[y]![x]) continue;
        const dark = bit < total && ((codewords[bit >>> 3]! >>> (7 - (bit & 7))) & 1) === 1;
        bit++;
        m[y]![x] = dark !== MASKS[mask]!(x, y);
      }
    }
  }
  return { version, mask, size, modules: m };
}

/** Penalty score of a masked symbol (§7.8.3, rules N1-N4). */
export function penalty(m: readonly (readonly boolean[])[]): number {
  const size = m.length;
  let score = 0;
  const lines: boolean[][] = [];
  for (let i = 0; i < size; i++) {
    lines.push([...m[i]!]);
    lines.push(m.map((row) => row[i]!));
  }
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) run++;
      else {
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
    }
    // 1:1:3:1:1 finder-like patterns with 4 light modules on either side.
    const s = line.map((d) => (d ? '1' : '0')).join('');
    for (const p of ['10111010000', '00001011101']) for (let i = s.indexOf(p); i >= 0; i = s.indexOf(p, i + 1)) score += 40;
  }
  for (let y = 0; y < size - 1; y++) {
    for (let x = 0; x < size - 1; x++) {
      const c = m[y]![x];
      if (c === m[y]![x + 1] && c === m[y + 1]![x] && c === m[y + 1]![x + 1]) score += 3;
    }
  }
  const dark = m.reduce((n, row) => n + row.filter(Boolean).length, 0);
  score += Math.floor(Math.abs((dark * 20) / (size * size) - 10)) * 10;
  return score;
}

/**
 * The symbol for a terminal: two modules per character cell (upper and lower half blocks), dark
 * modules drawn as the terminal's background so it scans on dark and light themes alike when
 * `invert` is set; a 4-module quiet zone (§9.1).
 */
export function qrToTerminal(qr: QrCode, invert = true): string {
  const q = 4;
  const n = qr.size + 2 * q;
  const dark = (x: number, y: number) => {
    const xi = x - q, yi = y - q;
    return xi >= 0 && yi >= 0 && xi < qr.size && yi < qr.size && qr.modules[yi]![xi]!;
  };
  // With `invert`, a printed (light) cell is a light module: right for the usual dark terminal.
  const lit = (x: number, y: number) => (invert ? !dark(x, y) : dark(x, y));
  const lines: string[] = [];
  for (let y = 0; y < n; y += 2) {
    let line = '';
    for (let x = 0; x < n; x++) {
      const top = lit(x, y), bottom = y + 1 < n && lit(x, y + 1);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** A plain PBM (P1) image of the symbol with its quiet zone, `scale` pixels per module (tests, printing). */
export function qrToPbm(qr: QrCode, scale = 4): string {
  const q = 4;
  const n = (qr.size + 2 * q) * scale;
  const rows: string[] = [];
  for (let py = 0; py < n; py++) {
    const y = Math.floor(py / scale) - q;
    let row = '';
    for (let px = 0; px < n; px++) {
      const x = Math.floor(px / scale) - q;
      row += x >= 0 && y >= 0 && x < qr.size && y < qr.size && qr.modules[y]![x] ? '1' : '0';
    }
    rows.push(row);
  }
  return `P1\n${n} ${n}\n${rows.join('\n')}\n`;
}
