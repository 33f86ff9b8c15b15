import t from 'tap';
import { decodeValue, encodeValue, extractBit, orderBytes, registerCount } from './decode.js';

t.test('16-bit types', async (t) => {
  t.equal(decodeValue([0x0000], 0, 'int16'), 0);
  t.equal(decodeValue([0x7fff], 0, 'int16'), 32767);
  t.equal(decodeValue([0xffff], 0, 'int16'), -1);
  t.equal(decodeValue([0xff38], 0, 'int16'), -200); // -20.0 °C at 0.1 °C/LSB
  t.equal(decodeValue([0x8000], 0, 'int16'), -32768);
  t.equal(decodeValue([0xffff], 0, 'uint16'), 65535);
  t.equal(decodeValue([0x012c], 0, 'uint16'), 300);
  t.equal(decodeValue([0, 0x012c], 1, 'uint16'), 300, 'index into a block');
  // Little byte order: the device sends 300 as 0x2c01.
  t.equal(decodeValue([0x2c01], 0, 'uint16', 'little'), 300);
  t.equal(decodeValue([0x38ff], 0, 'int16', 'little'), -200);
});

t.test('32-bit integers in all four orders', async (t) => {
  // 0x12345678 = 305419896; bytes A=12 B=34 C=56 D=78.
  t.equal(decodeValue([0x1234, 0x5678], 0, 'uint32', 'big', 'big'), 0x12345678, 'ABCD');
  t.equal(decodeValue([0x5678, 0x1234], 0, 'uint32', 'big', 'little'), 0x12345678, 'CDAB');
  t.equal(decodeValue([0x3412, 0x7856], 0, 'uint32', 'little', 'big'), 0x12345678, 'BADC');
  t.equal(decodeValue([0x7856, 0x3412], 0, 'uint32', 'little', 'little'), 0x12345678, 'DCBA');
  t.equal(decodeValue([0xffff, 0xffff], 0, 'uint32'), 4294967295);
  t.equal(decodeValue([0xffff, 0xffff], 0, 'int32'), -1);
  t.equal(decodeValue([0xfffe, 0x7960], 0, 'int32'), -100000);
  t.equal(decodeValue([0x7960, 0xfffe], 0, 'int32', 'big', 'little'), -100000, 'negative, CDAB');
  t.equal(decodeValue([0x8000, 0x0000], 0, 'int32'), -2147483648);
});

t.test('float32 in all four orders', async (t) => {
  // 123.456f = 0x42F6E979: A=42 B=F6 C=E9 D=79.
  const f = Math.fround(123.456);
  t.equal(decodeValue([0x42f6, 0xe979], 0, 'float32', 'big', 'big'), f, 'ABCD');
  t.equal(decodeValue([0xe979, 0x42f6], 0, 'float32', 'big', 'little'), f, 'CDAB');
  t.equal(decodeValue([0xf642, 0x79e9], 0, 'float32', 'little', 'big'), f, 'BADC');
  t.equal(decodeValue([0x79e9, 0xf642], 0, 'float32', 'little', 'little'), f, 'DCBA');
  t.equal(decodeValue([0xc1a0, 0x0000], 0, 'float32'), -20);
  t.equal(decodeValue([0x0000, 0x0000], 0, 'float32'), 0);
});

t.test('NaN and infinity are no value', async (t) => {
  t.equal(decodeValue([0x7fc0, 0x0000], 0, 'float32'), undefined, 'NaN');
  t.equal(decodeValue([0x7f80, 0x0000], 0, 'float32'), undefined, '+Infinity');
  t.equal(decodeValue([0xff80, 0x0000], 0, 'float32'), undefined, '-Infinity');
  t.equal(decodeValue([0x0000, 0x7fc0], 0, 'float32', 'big', 'little'), undefined, 'NaN in CDAB');
});

t.test('missing words are no value', async (t) => {
  t.equal(decodeValue([], 0, 'uint16'), undefined);
  t.equal(decodeValue([0x1234], 0, 'uint32'), undefined);
  t.equal(decodeValue([0x1234], 0, 'bool'), true);
  t.equal(decodeValue([0], 0, 'bool'), false);
});

t.test('bits', async (t) => {
  t.equal(extractBit(0b1, 0), true);
  t.equal(extractBit(0b10, 0), false);
  t.equal(extractBit(0b10, 1), true);
  t.equal(extractBit(0x8000, 15), true);
  t.equal(extractBit(0x8000, 14), false);
  t.same([0, 1, 2, 3, 4, 5, 6, 7, 8].map((b) => extractBit(0x0105, b)), [true, false, true, false, false, false, false, false, true]);
});

t.test('helpers and the encode inverse', async (t) => {
  t.equal(registerCount('int16'), 1);
  t.equal(registerCount('bool'), 1);
  t.equal(registerCount('float32'), 2);
  t.equal(orderBytes(0x1234, 'big'), 0x1234);
  t.equal(orderBytes(0x1234, 'little'), 0x3412);
  for (const bo of ['big', 'little'] as const) {
    for (const wo of ['big', 'little'] as const) {
      for (const [type, v] of [['int16', -12345], ['uint16', 54321], ['int32', -7654321], ['uint32', 3999999999], ['float32', Math.fround(-0.15)]] as const) {
        t.equal(decodeValue(encodeValue(v, type, bo, wo), 0, type, bo, wo), v, `${type} ${bo}/${wo}`);
      }
    }
  }
});
