import { createTagDecoder, type TagProtocol } from '../../drivers/tag-reader/index.js';
import { encodeRdm6300 } from '../../drivers/tag-reader/rdm6300.js';
import { encodeM100Inventory } from '../../drivers/tag-reader/uhf-m100.js';
import type { Report } from './run.js';

/**
 * Tag frames decoded per second, per protocol, with the stream cut into 32-byte pieces (about what
 * a USB serial adapter hands over per read), so frames straddle reads as they do on a real line.
 * Target: >= 50,000 frames/s.
 */
const FRAMES = 200_000;
const CHUNK = 32;

function stream(protocol: TagProtocol): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 1000; i++) {
    const id = (0x0eb1ce0000 + i).toString(16).toUpperCase().padStart(10, '0');
    if (protocol === 'rdm6300') parts.push(encodeRdm6300(id));
    else if (protocol === 'uhf-m100') parts.push(encodeM100Inventory(`E28011606000${id.slice(-8)}0000`));
    else parts.push(Buffer.from(`ID:${id}\r\n`));
  }
  return Buffer.concat(parts);
}

export async function run(report: Report): Promise<void> {
  for (const protocol of ['rdm6300', 'uhf-m100', 'ascii-line'] as const) {
    const data = stream(protocol);
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += CHUNK) chunks.push(data.subarray(i, i + CHUNK));
    const rounds = FRAMES / 1000;
    const d = createTagDecoder(protocol);
    for (const c of chunks) d.push(c); // warm-up
    const t0 = performance.now();
    let n = 0;
    for (let r = 0; r < rounds; r++) for (const c of chunks) n += d.push(c).length;
    const s = (performance.now() - t0) / 1000;
    if (n !== FRAMES) throw new Error(`${protocol}: decoded ${n} of ${FRAMES}`);
    report(`tags ${protocol} frames decoded`, Math.round(n / s), 'frames/s');
  }
}
