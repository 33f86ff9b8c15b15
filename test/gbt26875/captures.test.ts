import t from 'tap';
import {
  Command,
  FrameReader,
  answerFrame,
  componentStatus,
  decodeFrame,
  decodeUnit,
  deviceOperation,
  deviceStatus,
  encodeFrame,
  encodeUnit,
  loopAndPoint,
} from '../../src/uplink/gbt26875/index.js';

/**
 * Worked frames, byte for byte. GB/T 26875.3-2011 itself has no worked examples (its text ends with
 * figure 46, no annex), so the fire alarms and the silence record are public captures of real
 * devices, and the main-power fault, confirm and deny are built here by hand from the standard's
 * clauses, one comment per field.
 */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** One line per field: the bytes, two or more spaces, what they are. */
const annotated = (s: string): Buffer => hex(s.split('\n').map((line) => line.trim().split(/\s{2,}/)[0] ?? '').join(''));
const cst = (y: number, mo: number, d: number, h: number, mi: number, s: number): Date => new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s));

// A fire alarm of a component, as published twice: the test of shootingfans/codec_gb26875_3_2011
// (codec/codec_test.go, "test success") and dgiot/dgiot (apps/dgiot_gb26875/priv/swagger/baowen.json).
const FIRE_ALARM_CORRIDOR = hex(`
  40 40  00 00  01 01  18 0d 11 16 0a 14  00 00 00 00 00 00  06 05 04 03 02 01  30 00  02
  02 01  01 03 00 d9 00 06 00 02 00
  a3 c1 c7 f8 a3 b1 b2 e3 df c8 b2 b8 d7 df c0 c8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  30 12 13 01 08 14  68  23 23`);

// A photoelectric smoke detector's fire alarm, from the comments of dgiot/dgiot
// apps/dgiot_gb26875/src/protocol/dgiot_gb26875_decoder.erl ("光电探测器火警(光电感烟)").
const FIRE_ALARM_SMOKE = hex(`
  40 40  14 00  10 00  05 09 09 1b 07 15  2c 31 2c 32 00 00  78 4d 07 91 8e 23  30 00  02
  02 01  01 01 2a 01 00 01 00 02 00
  31 ba c5 bd d3 bf da b0 e5 31 bb d8 c2 b7 31 ba c5 00 ba c5 d6 f7 bb fa f8 98 cf a0 00 00 00
  25 11 03 01 06 0c  47  23 23`);

// A transmission device's silence record (type 24), same source.
const SILENCE = hex('4040 3113 1000 160F11030316 000000000000 C0A801046D1D 0A00 02 18010200160F11030316 16 2323');

t.test('a fire alarm capture decodes field by field and re-encodes to the same bytes', async (t) => {
  const frame = decodeFrame(FIRE_ALARM_CORRIDOR);
  t.same(frame, {
    serial: 0,
    version: { major: 1, user: 1 },
    time: cst(2020, 10, 22, 17, 13, 24),
    source: 0,
    destination: 0x010203040506,
    command: Command.send,
    data: FIRE_ALARM_CORRIDOR.subarray(27, 27 + 48),
    length: 78,
  });
  const unit = decodeUnit(frame.data);
  const component = {
    system: { type: 1, address: 3 },
    componentType: 0,
    address: 0x000600d9,
    // The device leaves bit 0 at 0 ("test state" by §8.2.1.2 figure 7) in a real fire alarm.
    status: componentStatus({ normal: false, fire: true }),
    description: 'Ａ区１层呷哺走廊',
    time: cst(2020, 8, 1, 19, 18, 48),
  };
  t.same(unit, { type: 2, components: [component] });
  t.same(loopAndPoint(component.address), { loop: 6, point: 217 });
  const again = encodeFrame({ ...frame, time: frame.time!, data: encodeUnit({ type: 2, components: [component] }) });
  t.same(again, FIRE_ALARM_CORRIDOR, 'byte for byte');
});

t.test('a smoke detector capture: description cut at its first 0x00, protocol version as the device sends it', async (t) => {
  const frame = decodeFrame(FIRE_ALARM_SMOKE);
  t.same(frame.version, { major: 0x10, user: 0 }, 'the device writes 0x10 where §6.6 fixes the major version at 1; accepted');
  t.equal(frame.serial, 20);
  t.same(frame.time, cst(2021, 7, 27, 9, 9, 5));
  t.same(decodeUnit(frame.data), {
    type: 2,
    components: [
      {
        system: { type: 1, address: 1 },
        componentType: 42, // point photoelectric smoke detector (table 5)
        address: 0x00010001, // loop 1, point 1
        status: componentStatus({ normal: false, fire: true }),
        description: '1号接口板1回路1号', // the bytes after the 0x00 are left over from an older text
        time: cst(2012, 6, 1, 3, 17, 37), // the panel's own clock, years off
      },
    ],
  });
});

t.test('a silence record capture (type 24) round-trips byte for byte', async (t) => {
  const frame = decodeFrame(SILENCE);
  const unit = decodeUnit(frame.data);
  t.same(unit, { type: 24, operations: [{ flags: deviceOperation({ silence: true }), operator: 0, time: cst(2022, 3, 3, 17, 15, 22) }] });
  t.same(encodeFrame({ ...frame, time: frame.time!, data: encodeUnit(unit) }), SILENCE);
});

t.test('a main-power fault of the transmission device, built from §6.6 and §8.2.1.8', async (t) => {
  const expected = annotated(`
    40 40                 start '@@' (table 1)
    01 00                 business serial number 1, low byte first
    01 00                 protocol version: major 1 (byte 5), user version 0 (byte 6)
    05 00 08 01 01 1a     time tag: 05 s 00 min 08 h, day 1, month 1, year 26 (§8.2.2, 2026-01-01 08:00:05 CST)
    56 34 12 00 00 00     source address 0x123456, low byte first
    01 00 00 00 00 00     destination address 1
    09 00                 application data length 9
    02                    command: send data (table 2)
    15                    type flag 21: transmission device running state (table 3)
    01                    one information object (figure 26: = 1)
    0d                    state 0000 1101: bit 0 normal monitoring, bit 2 fault, bit 3 main power fault (figure 13)
    05 00 08 01 01 1a     time of the state
    1f                    checksum: bytes 3–27 and the data, summed, modulo 256
    23 23                 end '##'`);
  const data = encodeUnit({ type: 21, state: { status: deviceStatus({ fault: true, mainPowerFault: true }), time: cst(2026, 1, 1, 8, 0, 5) } });
  const frame = encodeFrame({ serial: 1, time: cst(2026, 1, 1, 8, 0, 5), source: 0x123456, destination: 1, command: Command.send, data });
  t.same(frame, expected);
  t.same(decodeUnit(decodeFrame(frame).data), { type: 21, state: { status: deviceStatus({ fault: true, mainPowerFault: true }), time: cst(2026, 1, 1, 8, 0, 5) } });
});

t.test('the centre confirms and denies the fire alarm: built from §6.3.2 and table 1', async (t) => {
  const alarm = decodeFrame(FIRE_ALARM_CORRIDOR);
  const sent = cst(2020, 10, 22, 17, 13, 25);
  const confirm = annotated(`
    40 40                 start
    00 00                 the serial number of the frame confirmed (table 1: "returned as sent")
    01 01                 protocol version as received
    19 0d 11 16 0a 14     time tag 2020-10-22 17:13:25
    06 05 04 03 02 01     source: the centre (the alarm's destination)
    00 00 00 00 00 00     destination: the transmission device (the alarm's source)
    00 00                 no application data ("may be empty for confirm / deny")
    03                    command: confirm
    85                    checksum
    23 23                 end`);
  t.same(encodeFrame(answerFrame(alarm, Command.confirm, sent)), confirm);
  const deny = Buffer.from(confirm);
  deny[26] = Command.deny; // command: deny
  deny[27] = 0x88; // checksum 3 higher
  t.same(encodeFrame(answerFrame(alarm, Command.deny, sent)), deny);
  t.same(decodeFrame(deny), { serial: 0, version: { major: 1, user: 1 }, time: sent, source: 0x010203040506, destination: 0, command: Command.deny, data: Buffer.alloc(0), length: 30 });
});

t.test('a published answer with a wrong checksum is counted, not delivered', async (t) => {
  // dgiot_gb26875_decoder.erl shows this "应答" with checksum 0x30; its bytes sum to 0x32.
  const reader = new FrameReader();
  t.same(reader.push(hex('4040 6900 1000 0a110e030615 ac103cd56d1d 000000000000 0100 03 17 30 2323')), []);
  t.match(reader.stats(), { frames: 0, checksumErrors: 1 });
  const frames = reader.push(FIRE_ALARM_SMOKE);
  t.equal(frames.length, 1, 'the next frame comes through');
});
