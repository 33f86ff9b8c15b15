import t from 'tap';
import { Command, decodeFrame, encodeFrame, Gbt26875Error, MAX_ADDRESS, MAX_FRAME_BYTES, checksum } from '../../src/uplink/gbt26875/index.js';
import { cst, frame } from './fixtures.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof Gbt26875Error ? err.code : `untyped: ${String(err)}`;
  }
  return undefined;
};

t.test('control unit fields at the byte positions of §6.6 table 1, low byte first', async (t) => {
  const b = encodeFrame(frame({ serial: 0x1234, version: { major: 1, user: 9 }, source: 0x0102030405, destination: 0xa0b0c0d0e0f0, data: Buffer.from([1, 2, 3]) }));
  t.same([...b.subarray(0, 2)], [0x40, 0x40], "bytes 1–2 '@@'");
  t.same([...b.subarray(2, 4)], [0x34, 0x12], 'bytes 3–4 serial number');
  t.same([...b.subarray(4, 6)], [1, 9], 'byte 5 major, byte 6 user version');
  t.same([...b.subarray(6, 12)], [0, 0, 12, 1, 3, 26], 'bytes 7–12 time tag (2026-03-01 12:00:00 CST)');
  t.same([...b.subarray(12, 18)], [5, 4, 3, 2, 1, 0], 'bytes 13–18 source');
  t.same([...b.subarray(18, 24)], [0xf0, 0xe0, 0xd0, 0xc0, 0xb0, 0xa0], 'bytes 19–24 destination');
  t.same([...b.subarray(24, 26)], [3, 0], 'bytes 25–26 length');
  t.equal(b[26], Command.send, 'byte 27 command');
  t.same([...b.subarray(27, 30)], [1, 2, 3], 'application data');
  t.equal(b[30], checksum(b, 2, 30), 'checksum over bytes 3–27 and the data');
  t.same([...b.subarray(31)], [0x23, 0x23], "'##'");
  t.equal(b.length, 33);
});

t.test('the checksum leaves out the start marker and drops carries', async (t) => {
  const b = encodeFrame(frame({ data: Buffer.alloc(1024, 0xff) }));
  let sum = 0;
  for (let i = 2; i < b.length - 3; i++) sum += b[i]!;
  t.equal(b[b.length - 3], sum % 256);
  t.equal(b.length, MAX_FRAME_BYTES);
});

t.test('round trip: every field comes back, confirm and deny carry no data', async (t) => {
  for (const f of [
    frame({ serial: 0, command: Command.confirm }),
    frame({ serial: 65535, command: Command.deny, source: MAX_ADDRESS, destination: 0 }),
    frame({ serial: 3, command: Command.request, data: Buffer.from([0x51, 1, 0]) }),
    frame({ command: 200, data: Buffer.alloc(1024, 7), version: { major: 1, user: 255 } }),
  ]) {
    const d = decodeFrame(encodeFrame(f));
    t.same(d, { ...f, version: f.version ?? { major: 1, user: 0 }, data: Buffer.from(f.data ?? []), length: 30 + (f.data?.length ?? 0) });
  }
});

t.test('what cannot be encoded is a typed error', async (t) => {
  t.equal(code(() => encodeFrame(frame({ serial: 65536 }))), 'GBT26875_RANGE');
  t.equal(code(() => encodeFrame(frame({ serial: -1 }))), 'GBT26875_RANGE');
  t.equal(code(() => encodeFrame(frame({ serial: 1.5 }))), 'GBT26875_RANGE');
  t.equal(code(() => encodeFrame(frame({ source: MAX_ADDRESS + 1 }))), 'GBT26875_RANGE');
  t.equal(code(() => encodeFrame(frame({ command: 256 }))), 'GBT26875_RANGE');
  t.equal(code(() => encodeFrame(frame({ version: { major: 1, user: 300 } }))), 'GBT26875_RANGE');
  t.equal(code(() => encodeFrame(frame({ data: Buffer.alloc(1025) }))), 'GBT26875_DATA_TOO_LONG');
});

t.test('a time tag the clock cannot give is clamped, never refused', async (t) => {
  t.same([...encodeFrame(frame({ time: new Date(0) })).subarray(6, 12)], [0, 0, 0, 1, 1, 0], '1970 (clock not set) goes as 2000-01-01 00:00:00');
  t.same([...encodeFrame(frame({ time: new Date(Number.NaN) })).subarray(6, 12)], [0, 0, 0, 1, 1, 0]);
  t.same([...encodeFrame(frame({ time: cst(2150, 1, 1, 0, 0, 0) })).subarray(6, 12)], [59, 59, 23, 31, 12, 99]);
});

t.test('decodeFrame names what is wrong, always with GBT26875_FRAME', async (t) => {
  const good = encodeFrame(frame({ data: Buffer.from([1, 2]) }));
  const broken = (f: (b: Buffer) => Buffer): string | undefined => code(() => decodeFrame(f(Buffer.from(good))));
  t.equal(broken((b) => b.subarray(1)), 'GBT26875_FRAME', 'no start');
  t.equal(broken((b) => b.subarray(0, b.length - 1)), 'GBT26875_FRAME', 'short');
  t.equal(broken((b) => Buffer.concat([b, Buffer.from([0])])), 'GBT26875_FRAME', 'trailing');
  t.equal(broken((b) => ((b[b.length - 1] = 0x24), b)), 'GBT26875_FRAME', 'end marker');
  t.equal(broken((b) => ((b[27]! ^= 1), b)), 'GBT26875_FRAME', 'checksum');
  t.equal(broken((b) => (b.writeUInt16LE(1025, 24), b)), 'GBT26875_FRAME', 'length above 1024');
  t.equal(broken(() => Buffer.alloc(0)), 'GBT26875_FRAME', 'nothing');
});

t.test('a sender time tag that is not a time leaves the frame a frame', async (t) => {
  const b = encodeFrame(frame());
  b.fill(0, 6, 12); // day 0, month 0, as some devices send
  b[b.length - 3] = checksum(b, 2, b.length - 3);
  t.equal(decodeFrame(b).time, undefined);
});
