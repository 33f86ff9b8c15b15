import { emptyStats, joinPending, toHex, type DecoderStats, type TagDecoder } from './decoder.js';

/**
 * UHF (EPC Gen2) reader modules built on the MagicRF M100 / QM100 chip (sold as YRM100, JRD-100
 * and similar, 115200 8N1). Frame layout, from the M100 user protocol:
 *   0xBB | Type | Command | PL (2 bytes, big endian) | Parameter (PL bytes) | Checksum | 0x7E
 * Type 0x00 command, 0x01 response, 0x02 notification. Checksum = low byte of the sum of Type,
 * Command, PL and Parameter. An inventory notification (Type 0x02, Command 0x22) carries
 *   RSSI (1) | PC (2) | EPC (PL - 5) | CRC (2)
 * and the tag id is the EPC in hex. Other valid frames are counted as `other`.
 */
const HEAD = 0xbb;
const END = 0x7e;
const TYPE_NOTICE = 0x02;
const CMD_INVENTORY = 0x22;
/** Longer parameters are not in the protocol; treating them as noise bounds the buffer. */
const MAX_PL = 255;
const OVERHEAD = 7;

export class UhfM100Decoder implements TagDecoder {
  private pending: Buffer | undefined;
  private readonly counters = emptyStats();

  push(chunk: Uint8Array): string[] {
    const buf = joinPending(this.pending, chunk);
    const out: string[] = [];
    let i = 0;
    while (i < buf.length) {
      if (buf[i] !== HEAD) {
        this.counters.noiseBytes += 1;
        i += 1;
        continue;
      }
      if (buf.length - i < 5) break;
      const pl = (buf[i + 3]! << 8) | buf[i + 4]!;
      if (pl > MAX_PL) {
        this.counters.noiseBytes += 1;
        i += 1;
        continue;
      }
      const len = pl + OVERHEAD;
      if (buf.length - i < len) break;
      if (buf[i + len - 1] !== END) {
        this.counters.noiseBytes += 1;
        i += 1;
        continue;
      }
      let sum = 0;
      for (let k = i + 1; k < i + len - 2; k++) sum += buf[k]!;
      if ((sum & 0xff) !== buf[i + len - 2]) {
        this.counters.badChecksum += 1;
        i += len;
        continue;
      }
      const type = buf[i + 1];
      const cmd = buf[i + 2];
      if (type === TYPE_NOTICE && cmd === CMD_INVENTORY && pl >= 5 + 2) {
        // Parameter: RSSI, PC (2), EPC, CRC (2).
        out.push(toHex(buf.subarray(i + 5 + 3, i + 5 + pl - 2)));
        this.counters.tags += 1;
      } else {
        this.counters.other += 1;
      }
      i += len;
    }
    this.pending = i < buf.length ? Buffer.from(buf.subarray(i)) : undefined;
    return out;
  }

  stats(): DecoderStats {
    return { ...this.counters };
  }
}

/** An inventory notification for an EPC (hex), as the module sends it (simulators and tests). */
export function encodeM100Inventory(epcHex: string, opts: { rssi?: number; badChecksum?: boolean } = {}): Buffer {
  const epc = Buffer.from(epcHex, 'hex');
  const pc = (epc.length / 2) << 11;
  const params = Buffer.concat([Buffer.from([opts.rssi ?? 0xc8, pc >> 8, pc & 0xff]), epc, Buffer.from([0x12, 0x34])]);
  const body = Buffer.concat([Buffer.from([TYPE_NOTICE, CMD_INVENTORY, params.length >> 8, params.length & 0xff]), params]);
  let sum = 0;
  for (const b of body) sum += b;
  if (opts.badChecksum) sum += 1;
  return Buffer.concat([Buffer.from([HEAD]), body, Buffer.from([sum & 0xff, END])]);
}
