import t from 'tap';
import { decodeUnit, encodeFrame, FrameReader, Gbt26875Error, MAX_FRAME_BYTES } from '../../src/uplink/gbt26875/index.js';
import { cst, fireAlarmFrame, prng } from './fixtures.js';

/**
 * 10^5 fuzzed items through the reader (valid frames, noise, mutated frames, cut into random
 * reads), 10^5 random application data units through decodeUnit: no throw, bounded memory, every
 * valid frame recovered in order. Seeded: a failure repeats.
 */
const ITEMS = 100_000;

t.test('valid frames survive noise, broken frames and random splits', async (t) => {
  const rnd = prng(26875);
  const parts: Buffer[] = [];
  const expected: string[] = [];
  let serial = 0;
  const validFrame = (): Buffer => {
    serial = (serial + 1) % 65536;
    if (rnd.int(2) === 0) return fireAlarmFrame(serial, `烟感${serial}号 ${'楼'.repeat(rnd.int(20))}`);
    return encodeFrame({ serial, time: cst(2026, 1, 1, 0, 0, 0), source: rnd.int(1e9), destination: 1, command: 1 + rnd.int(6), data: rnd.bytes(rnd.int(3) === 0 ? rnd.int(1025) : rnd.int(60)) });
  };
  for (let i = 0; i < ITEMS; i++) {
    const kind = rnd.int(10);
    if (kind < 5) {
      const f = validFrame();
      parts.push(f);
      expected.push(f.toString('hex'));
    } else if (kind < 7) {
      // Noise rich in the bytes that matter: '@', '#' and length-like values.
      const n = rnd.int(40);
      const noise = Buffer.alloc(n);
      for (let j = 0; j < n; j++) noise[j] = [0x40, 0x23, 0x00, 0x04][rnd.int(4)] ?? rnd.int(256);
      if (rnd.int(4) === 0) noise[rnd.int(n)] = rnd.int(256);
      parts.push(noise);
    } else {
      const f = Buffer.from(validFrame());
      const how = rnd.int(4);
      if (how === 0) f[2 + rnd.int(f.length - 5)]! ^= 1 + rnd.int(255); // a flipped byte: checksum error
      else if (how === 1) f[f.length - 1 - rnd.int(2)] = rnd.int(0x23); // end marker
      else if (how === 2) f.writeUInt16LE(1025 + rnd.int(60000), 24); // length
      parts.push(how === 3 ? f.subarray(0, 2 + rnd.int(f.length - 2)) : f); // or cut short
    }
  }
  const stream = Buffer.concat(parts);
  const reader = new FrameReader();
  const got: string[] = [];
  let maxBuffered = 0;
  for (let at = 0; at < stream.length; ) {
    const n = 1 + rnd.int(rnd.int(8) === 0 ? 4096 : 200);
    for (const f of reader.push(stream.subarray(at, at + n))) got.push(encodeBack(f));
    maxBuffered = Math.max(maxBuffered, reader.buffered());
    at += n;
  }
  // Every valid frame, in order; a mutated frame may in rare cases be valid again, so extra frames
  // are allowed between them.
  let k = 0;
  for (const g of got) if (g === expected[k]) k++;
  t.equal(k, expected.length, `${expected.length} valid frames recovered in order (${got.length} delivered)`);
  t.ok(maxBuffered < MAX_FRAME_BYTES, `at most ${maxBuffered} bytes held between reads`);
  const s = reader.stats();
  t.ok(s.checksumErrors > 1000 && s.endMarkerErrors > 1000 && s.lengthErrors > 1000, JSON.stringify(s));
  t.equal(s.frames, got.length);
});

t.test('random bytes in random reads: no throw, no growth', async (t) => {
  const rnd = prng(1);
  const reader = new FrameReader();
  let maxBuffered = 0;
  for (let i = 0; i < ITEMS; i++) {
    const chunk = rnd.bytes(1 + rnd.int(64));
    if (rnd.int(3) === 0) chunk[0] = 0x40;
    if (rnd.int(3) === 0) chunk[chunk.length - 1] = 0x40;
    reader.push(chunk);
    maxBuffered = Math.max(maxBuffered, reader.buffered());
  }
  t.ok(maxBuffered < MAX_FRAME_BYTES, `at most ${maxBuffered} bytes held`);
});

t.test('random application data: decodeUnit throws nothing but typed errors', async (t) => {
  const rnd = prng(2);
  const known = [1, 2, 3, 4, 5, 6, 7, 8, 21, 24, 25, 26, 28, 61, 62, 63, 64, 65, 66, 67, 68, 81, 84, 85, 86, 88, 89, 90, 91];
  let decoded = 0;
  const codes = new Set<string>();
  for (let i = 0; i < ITEMS; i++) {
    const data = rnd.bytes(rnd.int(rnd.int(4) === 0 ? 1024 : 60));
    if (data.length > 0 && rnd.int(4) > 0) data[0] = known[rnd.int(known.length)]!;
    if (data.length > 1 && rnd.int(2) === 0) data[1] = 1 + rnd.int(3);
    try {
      decodeUnit(data);
      decoded++;
    } catch (err) {
      if (!(err instanceof Gbt26875Error)) throw err;
      codes.add(err.code);
    }
  }
  t.ok(decoded > 0, `${decoded} decoded`);
  t.same([...codes].sort(), ['GBT26875_OBJECT_COUNT', 'GBT26875_TIME_TAG', 'GBT26875_TRAILING_BYTES', 'GBT26875_TRUNCATED', 'GBT26875_UNKNOWN_TYPE']);
});

/** The frame's bytes as they were on the wire, for comparing with what was sent. */
function encodeBack(f: { serial: number; version: { major: number; user: number }; time: Date | undefined; source: number; destination: number; command: number; data: Buffer }): string {
  return encodeFrame({ ...f, time: f.time ?? new Date(Number.NaN) }).toString('hex');
}
