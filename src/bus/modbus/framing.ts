import type { PduVerdict } from './pdu.js';
import type { ModbusResponse } from './types.js';

/**
 * How PDUs travel on one kind of link: RTU (address + PDU + CRC, frames delimited by silence) or
 * Modbus TCP (MBAP header with transaction id). The transaction handler (master.ts) is the same
 * for both; only building frames and finding the reply in received bytes differ.
 */
export interface Framing {
  readonly kind: 'rtu' | 'tcp';
  /** Build the frame for one attempt and describe the reply that would answer it. */
  encode(unit: number, pdu: Buffer, verdict: (pdu: Buffer) => PduVerdict): { adu: Buffer; expect: Expectation };
  /** Look for the reply in the bytes received so far during this attempt. */
  scan(rx: Buffer, expect: Expectation): ScanResult;
}

export interface Expectation {
  unit: number;
  functionCode: number;
  /** Modbus TCP only. */
  transactionId?: number;
  /** Matches a well-formed PDU from the unit against the request. */
  verdict(pdu: Buffer): PduVerdict;
}

export type ScanOutcome =
  | { kind: 'ok'; response: ModbusResponse }
  | { kind: 'exception'; exceptionCode: number }
  | { kind: 'crc'; expected: number; received: number }
  | { kind: 'malformed'; detail: string };

export interface ScanResult {
  /** Leading bytes that are dealt with and must not be scanned (or counted) again. */
  consumed: number;
  /** Bytes within `consumed` that were no frame at all. */
  garbageBytes: number;
  /** Complete, intact frames within `consumed` that answer no current request (late replies). */
  staleFrames: number;
  outcome?: ScanOutcome;
  /**
   * RTU: a complete frame from the unit failed its CRC. It is the answer unless an intact one
   * follows; the caller waits briefly for more bytes before deciding.
   */
  crcSuspect?: { expected: number; received: number };
}
