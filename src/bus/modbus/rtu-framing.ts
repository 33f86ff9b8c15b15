import { crc16modbus, withCrc } from './crc16.js';
import type { Expectation, Framing, ScanResult } from './framing.js';
import { EXCEPTION_FLAG, responsePduLength, type PduVerdict } from './pdu.js';

/**
 * Modbus RTU framing: [unit][PDU][CRC lo][CRC hi].
 *
 * Done here rather than with jsmodbus's ModbusRTUClient because that client (v5.0.0) binds one
 * unit id per client object (the design needs one handler per bus, addressing each request to its
 * slave), stops parsing when garbage sits at the head of its buffer (its response factory returns
 * null for an unknown function code and the bytes are never skipped), and on a CRC mismatch rejects
 * every queued request rather than one attempt. Here the receive buffer is scanned at every offset:
 * intact frames (valid CRC) that do not answer the request are late replies and are skipped, bytes
 * that start no intact frame are garbage, and a complete frame from the unit with a bad CRC is a
 * CRC error unless an intact reply turns up behind it.
 */
export const MAX_RTU_ADU = 256;

/** Length of the whole RTU frame starting at `at` (see responsePduLength for null/undefined). */
function aduLengthAt(rx: Buffer, at: number): number | null | undefined {
  const pduLength = responsePduLength(rx, at + 1);
  if (pduLength === null || pduLength === undefined) return pduLength;
  const len = 1 + pduLength + 2;
  return len <= MAX_RTU_ADU ? len : null;
}

function crcOk(rx: Buffer, at: number, len: number): { ok: boolean; expected: number; received: number } {
  const expected = crc16modbus(rx, at, at + len - 2);
  const received = rx.readUInt16LE(at + len - 2);
  return { ok: expected === received, expected, received };
}

function headerMatches(rx: Buffer, at: number, expect: Expectation): boolean {
  const fc = rx[at + 1];
  return rx[at] === expect.unit && (fc === expect.functionCode || fc === (expect.functionCode | EXCEPTION_FLAG));
}

export function scanRtu(rx: Buffer, expect: Expectation): ScanResult {
  const result: ScanResult = { consumed: 0, garbageBytes: 0, staleFrames: 0 };
  // Bytes before `undecidedAt` are settled; after it, a frame may still be arriving.
  let undecidedAt: number | undefined;
  let pendingGarbage = 0;
  let pendingStale = 0;
  let suspectEnd = 0;
  let i = 0;
  const skipGarbage = (): void => {
    if (i >= suspectEnd) {
      if (undecidedAt === undefined) result.garbageBytes++;
      else pendingGarbage++;
    }
    i++;
  };
  while (i < rx.length) {
    const len = aduLengthAt(rx, i);
    if (len === null) {
      skipGarbage();
      continue;
    }
    if (len === undefined || i + len > rx.length) {
      undecidedAt ??= i;
      i++;
      continue;
    }
    const crc = crcOk(rx, i, len);
    if (!crc.ok) {
      if (headerMatches(rx, i, expect) && result.crcSuspect === undefined) {
        result.crcSuspect = { expected: crc.expected, received: crc.received };
        suspectEnd = i + len;
      }
      skipGarbage();
      continue;
    }
    const pdu = rx.subarray(i + 1, i + len - 2);
    const verdict: PduVerdict | undefined = rx[i] === expect.unit ? expect.verdict(pdu) : undefined;
    if (verdict !== undefined && verdict.kind !== 'mismatch') {
      result.garbageBytes += pendingGarbage;
      result.staleFrames += pendingStale;
      result.consumed = i + len;
      result.outcome =
        verdict.kind === 'ok'
          ? { kind: 'ok', response: verdict.response }
          : { kind: 'exception', exceptionCode: verdict.exceptionCode };
      delete result.crcSuspect;
      return result;
    }
    // An intact frame that answers something else: a late reply, or another master's traffic.
    if (undecidedAt === undefined) result.staleFrames++;
    else pendingStale++;
    i += len;
  }
  result.consumed = undecidedAt ?? rx.length;
  return result;
}

export const rtuFraming: Framing = {
  kind: 'rtu',
  encode(unit, pdu, verdict) {
    const adu = withCrc(Buffer.concat([Buffer.from([unit]), pdu]));
    return { adu, expect: { unit, functionCode: pdu[0]!, verdict } };
  },
  scan: scanRtu,
};
