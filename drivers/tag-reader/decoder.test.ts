import t from 'tap';
import { AsciiLineDecoder } from './ascii-line.js';
import type { TagDecoder } from './decoder.js';
import { createTagDecoder, type TagProtocol } from './index.js';
import { encodeRdm6300, Rdm6300Decoder } from './rdm6300.js';
import { encodeM100Inventory, UhfM100Decoder } from './uhf-m100.js';

const CASES: { protocol: TagProtocol; frame: (id: string, bad?: boolean) => Buffer; ids: [string, string] }[] = [
  { protocol: 'rdm6300', frame: (id, bad) => encodeRdm6300(id, { badChecksum: bad ?? false }), ids: ['0EB1CE0001', '0800A1B2C3'] },
  { protocol: 'uhf-m100', frame: (id, bad) => encodeM100Inventory(id, { badChecksum: bad ?? false }), ids: ['E2801160600002054D4B1F41', '300833B2DDD9014000000000'] },
  { protocol: 'ascii-line', frame: (id, bad) => Buffer.from(bad ? `ERR ${id.slice(0, 3)}\r\n` : `ID:${id}\r\n`, 'latin1'), ids: ['0EB1CE0001', '04A224C2B35E80'] },
];

function decodeAll(d: TagDecoder, pieces: Buffer[]): string[] {
  return pieces.flatMap((p) => d.push(p));
}

for (const c of CASES) {
  t.test(`${c.protocol}: two frames split at every byte offset decode the same`, async (t) => {
    const stream = Buffer.concat([c.frame(c.ids[0]), c.frame(c.ids[1])]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = createTagDecoder(c.protocol);
      const got = decodeAll(d, [stream.subarray(0, cut), stream.subarray(cut)]);
      if (got.join() !== c.ids.join()) t.fail(`cut at ${cut}: ${got.join()}`);
    }
    const d = createTagDecoder(c.protocol);
    const byByte = decodeAll(d, [...stream].map((b) => Buffer.from([b])));
    t.same(byByte, c.ids, 'one byte at a time');
    t.equal(d.stats().tags, 2);
  });

  t.test(`${c.protocol}: noise and bad checksums are counted and dropped`, async (t) => {
    const d = createTagDecoder(c.protocol);
    const noise = Buffer.from([0x00, 0xff, 0x02, 0xbb, 0x7e, 0x03, 0x41, 0x0d, 0x0a]);
    const got = decodeAll(d, [noise, c.frame(c.ids[0], true), c.frame(c.ids[1]), noise.subarray(0, 4), c.frame(c.ids[0])]);
    t.same(got, [c.ids[1], c.ids[0]], 'the good frames survive the garbage around them');
    const s = d.stats();
    t.equal(s.tags, 2);
    if (c.protocol === 'ascii-line') t.ok(s.noiseBytes > 0, 'unmatched lines counted as noise');
    else {
      t.equal(s.badChecksum, 1, 'one bad checksum');
      t.ok(s.noiseBytes > 0, `noise counted (${s.noiseBytes} bytes)`);
    }
  });
}

t.test('rdm6300: frames repeat while the tag is present; every repeat is a read', async (t) => {
  const d = new Rdm6300Decoder();
  const f = encodeRdm6300('0a1b2c3d4e');
  t.same(d.push(Buffer.concat([f, f, f])), ['0A1B2C3D4E', '0A1B2C3D4E', '0A1B2C3D4E']);
  t.throws(() => encodeRdm6300('XYZ'));
});

t.test('rdm6300: a start byte inside garbage does not swallow the next real frame', async (t) => {
  const d = new Rdm6300Decoder();
  // 0x02 followed by non-hex: not a frame; the real frame starts 3 bytes later.
  const got = d.push(Buffer.concat([Buffer.from([0x02, 0x10, 0x20]), encodeRdm6300('0EB1CE0001')]));
  t.same(got, ['0EB1CE0001']);
});

t.test('uhf-m100: command responses are valid frames but no tags', async (t) => {
  const d = new UhfM100Decoder();
  // Response to "get hardware version": BB 01 03 00 01 00 05 7E (checksum 01+03+00+01+00 = 05).
  t.same(d.push(Buffer.from([0xbb, 0x01, 0x03, 0x00, 0x01, 0x00, 0x05, 0x7e])), []);
  t.equal(d.stats().other, 1);
  // An absurd length is resynchronized on, not waited for.
  t.same(d.push(Buffer.concat([Buffer.from([0xbb, 0x02, 0x22, 0xff, 0xff]), encodeM100Inventory('E2801160600002054D4B1F41')])), ['E2801160600002054D4B1F41']);
});

t.test('ascii-line: the regex picks the id; overlong lines are dropped', async (t) => {
  const d = new AsciiLineDecoder('^UID=([0-9A-F]+);');
  t.same(d.push(Buffer.from('UID=04A224C2;RSSI=-40\nhello\r\nUID=DEADBEEF;\n')), ['04A224C2', 'DEADBEEF']);
  const long = new AsciiLineDecoder();
  t.same(long.push(Buffer.from('A'.repeat(300))), []);
  t.same(long.push(Buffer.from('AAAA\n0011223344\n')), ['0011223344'], 'the rest of the overlong line is dropped, the next line decodes');
});
