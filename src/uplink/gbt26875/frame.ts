import { checkInt } from './bytes.js';
import { END_BYTE, HEADER_BYTES, MAX_DATA_BYTES, START_BYTE, TRAILER_BYTES } from './constants.js';
import { Gbt26875Error } from './errors.js';
import { CHINA_STANDARD_TIME, encodeTimeTag, TIME_TAG_BYTES, timeTagOrUndefined } from './time-tag.js';

/**
 * One data packet (§6.6 table 1):
 *
 *   bytes 1–2    start '@@'
 *   bytes 3–4    business serial number, low byte first
 *   bytes 5–6    protocol version: major (byte 5, fixed 1), user version (byte 6)
 *   bytes 7–12   time tag of sending (§8.2.2)
 *   bytes 13–18  source address, low byte first
 *   bytes 19–24  destination address, low byte first
 *   bytes 25–26  application data length (≤ 1024), low byte first
 *   byte  27     command byte (table 2)
 *   …            application data unit (empty for confirm and deny)
 *   1 byte       checksum: bytes 3–27 and the application data summed, carries above 8 bits dropped
 *   2 bytes      end '##'
 */

/** Major version fixed at 1 (§6.6 table 1); the user version is the user's to define. */
export interface ProtocolVersion {
  major: number;
  user: number;
}
export const PROTOCOL_VERSION: Readonly<ProtocolVersion> = { major: 1, user: 0 };

/** A 6-byte address (§6.6 table 1) as a number, 0 – 2^48−1; sent low byte first. */
export type Address = number;
export const MAX_ADDRESS = 2 ** 48 - 1;

export interface Frame {
  /** Business serial number, 0–65535: the sender counts up per new packet; an answer repeats the one it answers. */
  serial: number;
  /** Default 1.0. */
  version?: ProtocolVersion;
  /** When the packet is sent. */
  time: Date;
  source: Address;
  destination: Address;
  /** Command byte (constants.ts `Command`; 128–255 user-defined). */
  command: number;
  /** The application data unit (encodeUnit); empty or absent for confirm and deny. */
  data?: Uint8Array;
}

export interface DecodedFrame extends Required<Omit<Frame, 'time' | 'data'>> {
  /** Undefined when the sender's time tag is not a valid time: the frame is still a frame. */
  time: Date | undefined;
  data: Buffer;
  /** Bytes on the wire, markers included. */
  length: number;
}

export interface FrameOptions {
  /** Time zone of the time tags, minutes east of UTC. Default China Standard Time (+480). */
  utcOffsetMinutes?: number;
}

/** The frame's bytes; a typed error (GBT26875_RANGE, GBT26875_DATA_TOO_LONG) for fields that do not fit. */
export function encodeFrame(frame: Frame, options: FrameOptions = {}): Buffer {
  const data = frame.data ?? Buffer.alloc(0);
  if (data.length > MAX_DATA_BYTES) throw new Gbt26875Error('GBT26875_DATA_TOO_LONG', `application data of ${data.length} bytes: at most ${MAX_DATA_BYTES} (§6.6)`);
  const version = frame.version ?? PROTOCOL_VERSION;
  const out = Buffer.alloc(HEADER_BYTES + data.length + TRAILER_BYTES);
  out[0] = START_BYTE;
  out[1] = START_BYTE;
  out.writeUInt16LE(checkInt(frame.serial, 0, 0xffff, 'serial number'), 2);
  out[4] = checkInt(version.major, 0, 0xff, 'major version');
  out[5] = checkInt(version.user, 0, 0xff, 'user version');
  encodeTimeTag(frame.time, options.utcOffsetMinutes ?? CHINA_STANDARD_TIME).copy(out, 6);
  writeAddress(out, 12, frame.source, 'source address');
  writeAddress(out, 18, frame.destination, 'destination address');
  out.writeUInt16LE(data.length, 24);
  out[26] = checkInt(frame.command, 0, 0xff, 'command byte');
  out.set(data, HEADER_BYTES);
  const end = HEADER_BYTES + data.length;
  out[end] = checksum(out, 2, end);
  out[end + 1] = END_BYTE;
  out[end + 2] = END_BYTE;
  return out;
}

/**
 * The answer to a received frame (confirm, deny, reply): same serial number and version, source
 * and destination swapped (§6.6 table 1: "the confirming side returns the sender's serial number").
 */
export function answerFrame(to: Pick<DecodedFrame, 'serial' | 'version' | 'source' | 'destination'>, command: number, time: Date, data?: Uint8Array): Frame {
  const frame: Frame = { serial: to.serial, version: to.version, time, source: to.destination, destination: to.source, command };
  if (data !== undefined) frame.data = data;
  return frame;
}

/** Exactly one whole frame; a typed error (GBT26875_FRAME) naming what is wrong with it. */
export function decodeFrame(buf: Uint8Array, options: FrameOptions = {}): DecodedFrame {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (b[0] !== START_BYTE || b[1] !== START_BYTE) throw new Gbt26875Error('GBT26875_FRAME', 'no start marker @@');
  const found = frameAt(b, 0, options);
  if (found.kind === 'frame' && found.frame.length === b.length) return found.frame;
  const why = found.kind === 'frame' ? `${b.length - found.frame.length} bytes after the end marker` : FAILURE[found.kind];
  throw new Gbt26875Error('GBT26875_FRAME', `not a frame: ${why}`);
}

const FAILURE = {
  incomplete: 'shorter than its length field says',
  length: 'application data length above 1024',
  end: 'no end marker ## where the length field puts it',
  checksum: 'checksum does not match',
} as const;

/** What starts at `at` (where '@@' is): a whole frame, or why not. */
export type FrameAt = { kind: 'frame'; frame: DecodedFrame } | { kind: keyof typeof FAILURE };

export function frameAt(b: Buffer, at: number, options: FrameOptions = {}): FrameAt {
  if (b.length - at < HEADER_BYTES) return { kind: 'incomplete' };
  const dataLength = b.readUInt16LE(at + 24);
  if (dataLength > MAX_DATA_BYTES) return { kind: 'length' };
  const length = HEADER_BYTES + dataLength + TRAILER_BYTES;
  if (b.length - at < length) return { kind: 'incomplete' };
  const end = at + HEADER_BYTES + dataLength;
  if (b[end + 1] !== END_BYTE || b[end + 2] !== END_BYTE) return { kind: 'end' };
  if (checksum(b, at + 2, end) !== b[end]) return { kind: 'checksum' };
  return {
    kind: 'frame',
    frame: {
      serial: b.readUInt16LE(at + 2),
      version: { major: b[at + 4]!, user: b[at + 5]! },
      time: timeTagOrUndefined(b.subarray(at + 6, at + 6 + TIME_TAG_BYTES), options.utcOffsetMinutes ?? CHINA_STANDARD_TIME),
      source: readAddress(b, at + 12),
      destination: readAddress(b, at + 18),
      command: b[at + 26]!,
      data: Buffer.from(b.subarray(at + HEADER_BYTES, end)),
      length,
    },
  };
}

/** Arithmetic sum of b[from, to) modulo 256 (§6.6 table 1). */
export function checksum(b: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += b[i]!;
  return sum & 0xff;
}

function writeAddress(out: Buffer, at: number, address: Address, field: string): void {
  let rest = checkInt(address, 0, MAX_ADDRESS, field);
  for (let i = 0; i < 6; i++) {
    out[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

function readAddress(b: Buffer, at: number): Address {
  let v = 0;
  for (let i = 5; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}
