import type { Expectation, Framing, ScanResult } from './framing.js';

/**
 * Modbus TCP framing: MBAP header [transaction id][protocol 0][length][unit] + PDU.
 * A reply whose transaction id is not the one in flight is a late reply to an earlier attempt:
 * dropped and counted. A header that cannot be MBAP leaves no way to find the next frame boundary
 * in the stream, so everything received is dropped and the attempt fails as malformed (retried).
 */
const MBAP_HEADER = 7;
const MAX_LENGTH_FIELD = 254; // unit + PDU of at most 253 bytes

export function createTcpFraming(): Framing {
  let nextTransactionId = 1;
  return {
    kind: 'tcp',
    encode(unit, pdu, verdict) {
      const transactionId = nextTransactionId;
      nextTransactionId = (nextTransactionId + 1) & 0xffff;
      const adu = Buffer.alloc(MBAP_HEADER + pdu.length);
      adu.writeUInt16BE(transactionId, 0);
      adu.writeUInt16BE(0, 2);
      adu.writeUInt16BE(pdu.length + 1, 4);
      adu.writeUInt8(unit, 6);
      pdu.copy(adu, MBAP_HEADER);
      return { adu, expect: { unit, functionCode: pdu[0]!, transactionId, verdict } };
    },
    scan: scanTcp,
  };
}

export function scanTcp(rx: Buffer, expect: Expectation): ScanResult {
  const result: ScanResult = { consumed: 0, garbageBytes: 0, staleFrames: 0 };
  let i = 0;
  while (rx.length - i >= MBAP_HEADER) {
    const transactionId = rx.readUInt16BE(i);
    const protocolId = rx.readUInt16BE(i + 2);
    const length = rx.readUInt16BE(i + 4);
    if (protocolId !== 0 || length < 2 || length > MAX_LENGTH_FIELD) {
      result.garbageBytes += rx.length - i;
      result.consumed = rx.length;
      result.outcome = { kind: 'malformed', detail: `not an MBAP header: ${rx.subarray(i, i + MBAP_HEADER).toString('hex')}` };
      return result;
    }
    const end = i + 6 + length;
    if (end > rx.length) break;
    if (transactionId !== expect.transactionId) {
      result.staleFrames++;
      i = end;
      continue;
    }
    result.consumed = end;
    const unit = rx[i + 6]!;
    if (unit !== expect.unit) {
      result.outcome = { kind: 'malformed', detail: `reply from unit ${unit}` };
      return result;
    }
    const verdict = expect.verdict(rx.subarray(i + MBAP_HEADER, end));
    result.outcome =
      verdict.kind === 'ok'
        ? { kind: 'ok', response: verdict.response }
        : verdict.kind === 'exception'
          ? { kind: 'exception', exceptionCode: verdict.exceptionCode }
          : { kind: 'malformed', detail: verdict.detail };
    return result;
  }
  result.consumed = i;
  return result;
}
