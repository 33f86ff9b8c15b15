import { HearthError } from '../../errors.js';

/**
 * Why a GB/T 26875.3 value could not be encoded or decoded. The session branches on these codes (a
 * centre's frame that fails to decode is answered with a deny, §6.2.2 / §6.4.2), never on text.
 */
export type Gbt26875ErrorCode =
  /** A field to encode is outside what its bytes can carry (serial number, address, count, value). */
  | 'GBT26875_RANGE'
  /** The application data unit is longer than the 1024 bytes §6.6 table 1 allows. */
  | 'GBT26875_DATA_TOO_LONG'
  /** Fewer bytes than the type flag and object count promise. */
  | 'GBT26875_TRUNCATED'
  /** Bytes left over after the objects the count announces. */
  | 'GBT26875_TRAILING_BYTES'
  /** An information object count of 0, above the type's maximum, or other than the 1 a type fixes. */
  | 'GBT26875_OBJECT_COUNT'
  /** A type flag this codec does not know: reserved, user-defined (128–254), or not yet supported. */
  | 'GBT26875_UNKNOWN_TYPE'
  /** A time tag whose fields are outside §8.2.2's ranges (second 0–59 … year 0–99), or no such day. */
  | 'GBT26875_TIME_TAG'
  /** Not one whole frame: wrong start or end marker, wrong length, wrong checksum (decodeFrame). */
  | 'GBT26875_FRAME';

export class Gbt26875Error extends HearthError {
  declare readonly code: Gbt26875ErrorCode;

  constructor(code: Gbt26875ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
