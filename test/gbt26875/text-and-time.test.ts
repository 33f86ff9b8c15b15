import t from 'tap';
import { decodeGb18030Field, decodeTimeTag, DESCRIPTION_BYTES, encodeGb18030Field, encodeTimeTag, Gbt26875Error } from '../../src/uplink/gbt26875/index.js';
import { cst, hex } from './fixtures.js';

t.test('a description is GB 18030, padded with 0x00 to 31 bytes', async (t) => {
  const b = encodeGb18030Field('火警 A');
  t.equal(b.length, DESCRIPTION_BYTES);
  t.same(b.subarray(0, 7), hex('bbf0 beaf 20 41 00'));
  t.same(b.subarray(6), Buffer.alloc(25));
  t.equal(decodeGb18030Field(b), '火警 A');
});

t.test('Chinese text is cut at 31 bytes on a character boundary', async (t) => {
  // 16 two-byte characters are 32 bytes: the 16th does not fit, and half of it must not be sent.
  const b = encodeGb18030Field('一二三四五六七八九十甲乙丙丁戊己');
  t.equal(decodeGb18030Field(b), '一二三四五六七八九十甲乙丙丁戊');
  t.equal(b[30], 0, 'the 31st byte is padding, not half a character');
  // One ASCII byte first: then 15 characters fill exactly 31 bytes.
  t.equal(decodeGb18030Field(encodeGb18030Field('3一二三四五六七八九十甲乙丙丁戊己')), '3一二三四五六七八九十甲乙丙丁戊');
  // Four-byte GB 18030 sequences (outside the BMP, and e.g. U+20AC's neighbours) are not split either.
  const emoji = encodeGb18030Field('🔥'.repeat(8));
  t.equal(decodeGb18030Field(emoji), '🔥'.repeat(7), '7 × 4 bytes = 28; the 8th would need 32');
  t.same(emoji.subarray(28), Buffer.alloc(3));
  t.equal(decodeGb18030Field(encodeGb18030Field('2层走廊🔥' + 'x'.repeat(30))), '2层走廊🔥' + 'x'.repeat(20));
});

t.test('reading a description stops at the first 0x00 and drops trailing spaces', async (t) => {
  t.equal(decodeGb18030Field(hex('31bac5bdd3bfdab0e5 00 bac5d6f7')), '1号接口板');
  t.equal(decodeGb18030Field(Buffer.from('smoke 3   ')), 'smoke 3');
  t.equal(decodeGb18030Field(Buffer.alloc(31)), '');
  t.equal(decodeGb18030Field(Buffer.from([0xff, 0x41])), '\ufffdA', 'invalid bytes are shown, not thrown');
});

t.test('a time tag is second, minute, hour, day, month, year in China Standard Time', async (t) => {
  const date = cst(2026, 12, 31, 23, 59, 58);
  t.same([...encodeTimeTag(date)], [58, 59, 23, 31, 12, 26]);
  t.same(decodeTimeTag(encodeTimeTag(date)), date);
  t.same([...encodeTimeTag(date, 0)], [58, 59, 15, 31, 12, 26], 'UTC when configured');
  t.same(decodeTimeTag(Buffer.from([0, 0, 0, 29, 2, 24])), cst(2024, 2, 29, 0, 0, 0), 'a leap day');
  t.same([...encodeTimeTag(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 999)))], [0, 0, 8, 1, 1, 26], 'milliseconds dropped');
  for (const bad of [[60, 0, 0, 1, 1, 0], [0, 60, 0, 1, 1, 0], [0, 0, 24, 1, 1, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 1, 13, 0], [0, 0, 0, 1, 1, 100], [0, 0, 0, 29, 2, 25]]) {
    t.throws(() => decodeTimeTag(Buffer.from(bad)), Gbt26875Error, bad.join(' '));
  }
});
