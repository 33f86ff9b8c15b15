import { toHex } from './decoder.js';
import { FrameScanner, type FrameAt } from './frame-scanner.js';

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

export class UhfM100Decoder extends FrameScanner {
  constructor() {
    super(HEAD, frameAt);
  }
}

function frameAt(buf: Buffer, i: number): FrameAt {
  if (buf.length - i < 5) return { kind: 'incomplete' };
  const pl = (buf[i + 3]! << 8) | buf[i + 4]!;
  if (pl > MAX_PL) return { kind: 'noise' };
  const len = pl + OVERHEAD;
  if (buf.length - i < len) return { kind: 'incomplete' };
  if (buf[i + len - 1] !== END) return { kind: 'noise' };
  let sum = 0;
  for (let k = i + 1; k < i + len - 2; k++) sum += buf[k]!;
  if ((sum & 0xff) !== buf[i + len - 2]) return { kind: 'checksum', length: len };
  const type = buf[i + 1];
  const cmd = buf[i + 2];
  if (type === TYPE_NOTICE && cmd === CMD_INVENTORY && pl >= 5 + 2) {
    // Parameter: RSSI, PC (2), EPC, CRC (2).
    return { kind: 'tag', id: toHex(buf.subarray(i + 5 + 3, i + 5 + pl - 2)), length: len };
  }
  return { kind: 'other', length: len };
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
