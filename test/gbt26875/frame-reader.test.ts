import t from 'tap';
import { checksum, encodeFrame, FrameReader, MAX_FRAME_BYTES, type DecodedFrame } from '../../src/uplink/gbt26875/index.js';
import { fireAlarmFrame, frame } from './fixtures.js';

const serials = (frames: DecodedFrame[]): number[] => frames.map((f) => f.serial);

t.test('joined frames in one read come out in order', async (t) => {
  const r = new FrameReader();
  t.same(serials(r.push(Buffer.concat([fireAlarmFrame(1), fireAlarmFrame(2), encodeFrame(frame({ serial: 3 }))]))), [1, 2, 3]);
  t.match(r.stats(), { frames: 3, garbageBytes: 0, checksumErrors: 0 });
  t.equal(r.buffered(), 0);
});

t.test('a frame split at every position is delivered once, when its last byte arrives', async (t) => {
  const whole = fireAlarmFrame(9);
  for (let cut = 1; cut < whole.length; cut++) {
    const r = new FrameReader();
    t.same(r.push(whole.subarray(0, cut)), [], `nothing before byte ${cut}`);
    t.same(serials(r.push(whole.subarray(cut))), [9]);
  }
  const r = new FrameReader();
  const out: DecodedFrame[] = [];
  for (const byte of whole) out.push(...r.push(Buffer.from([byte])));
  t.same(serials(out), [9], 'one byte at a time');
});

t.test('noise before, between and after frames is skipped and counted', async (t) => {
  const r = new FrameReader();
  const noise = Buffer.from('#@x@ @@\x00\x01', 'latin1');
  const out = r.push(Buffer.concat([noise, fireAlarmFrame(1), noise, fireAlarmFrame(2), Buffer.from('zz@')]));
  t.same(serials(out), [1, 2]);
  t.equal(r.stats().garbageBytes, noise.length * 2 + 2, 'the last @ is kept: it may start a frame');
  t.equal(r.buffered(), 1);
  t.same(serials(r.push(fireAlarmFrame(3).subarray(1))), [3], 'and it did');
});

t.test('each broken frame is counted by what broke, and the next frame still comes through', async (t) => {
  const good = fireAlarmFrame(5);
  const badChecksum = Buffer.from(good);
  badChecksum[40]! ^= 0x10;
  const badEnd = Buffer.from(good);
  badEnd[badEnd.length - 1] = 0x24;
  const badLength = Buffer.from(good);
  badLength.writeUInt16LE(2000, 24);
  const r = new FrameReader();
  const out = r.push(Buffer.concat([badChecksum, good, badEnd, good, badLength, good]));
  t.same(serials(out), [5, 5, 5]);
  t.match(r.stats(), { frames: 3, checksumErrors: 1, endMarkerErrors: 1, lengthErrors: 1 });
  t.equal(r.stats().garbageBytes, badChecksum.length * 3, 'every byte of the broken frames');
});

t.test('a start marker in noise does not hold back the frame behind it', async (t) => {
  // '@@' and a length field of 500: the reader would wait for 530 bytes that never come, while the
  // centre waits for the answer to the frame behind it.
  const falseStart = Buffer.alloc(27);
  falseStart.write('@@');
  falseStart.writeUInt16LE(500, 24);
  const r = new FrameReader();
  t.same(serials(r.push(Buffer.concat([falseStart, fireAlarmFrame(4)]))), [4]);
  t.equal(r.stats().garbageBytes, 27);
  t.equal(r.buffered(), 0);
});

t.test('a frame truncated by a reconnect is dropped when the next one starts inside it', async (t) => {
  const r = new FrameReader();
  r.push(fireAlarmFrame(1).subarray(0, 50));
  t.equal(r.buffered(), 50);
  t.same(serials(r.push(fireAlarmFrame(2))), [2]);
  r.push(fireAlarmFrame(3).subarray(0, 20));
  r.reset();
  t.equal(r.buffered(), 0, 'reset forgets the partial frame');
});

t.test('memory stays under one longest frame, whatever comes', async (t) => {
  const r = new FrameReader();
  r.push(Buffer.alloc(1_000_000, 0x40)); // a megabyte of '@'
  t.ok(r.buffered() < MAX_FRAME_BYTES, `holds ${r.buffered()} bytes`);
  const header = Buffer.alloc(27, 0x40);
  header.writeUInt16LE(1024, 24);
  r.push(header);
  t.ok(r.buffered() < MAX_FRAME_BYTES);
});

t.test('every byte is accounted for: frames + garbage + buffered = pushed', async (t) => {
  const r = new FrameReader();
  const parts = [Buffer.from('noise'), fireAlarmFrame(1), Buffer.from('@@'), fireAlarmFrame(2).subarray(0, 33)];
  let frameBytes = 0;
  let pushed = 0;
  for (const p of parts) {
    pushed += p.length;
    for (const f of r.push(p)) frameBytes += f.length;
  }
  t.equal(frameBytes + r.stats().garbageBytes + r.buffered(), pushed);
});

t.test('frames with a bad send time are delivered and counted', async (t) => {
  const b = encodeFrame(frame());
  b.fill(0xff, 6, 12);
  b[b.length - 3] = checksum(b, 2, b.length - 3);
  const r = new FrameReader();
  const [f] = r.push(b);
  t.equal(f?.time, undefined);
  t.equal(r.stats().badTimeTags, 1);
});
