import jsmodbus from 'jsmodbus';
import { ModbusRequestError } from './errors.js';
import type { ModbusArea, ModbusRequest, ModbusResponse } from './types.js';

/**
 * Protocol data units (function code + data, the part shared by RTU and TCP framing) for the
 * master side. Encoding and value decoding use jsmodbus's request/response body classes; what
 * jsmodbus does not check (byte counts against the request, write echoes) is checked here, so a
 * stale reply to an earlier request is recognised instead of being handed to the caller.
 */

export const FC = {
  readCoils: 0x01,
  readDiscreteInputs: 0x02,
  readHoldingRegisters: 0x03,
  readInputRegisters: 0x04,
  writeSingleCoil: 0x05,
  writeSingleRegister: 0x06,
  writeMultipleCoils: 0x0f,
  writeMultipleRegisters: 0x10,
} as const;

export const EXCEPTION_FLAG = 0x80;

const READ_FC: Record<ModbusArea, number> = {
  coil: FC.readCoils,
  discrete: FC.readDiscreteInputs,
  holding: FC.readHoldingRegisters,
  input: FC.readInputRegisters,
};

/** Per-request quantity limits from the application protocol spec (§6.1–6.12). */
const MAX_READ_BITS = 2000;
const MAX_READ_REGISTERS = 125;
const MAX_WRITE_REGISTERS = 123;
const MAX_WRITE_COILS = 1968;

export function functionCodeOf(req: ModbusRequest): number {
  switch (req.op) {
    case 'read':
      return READ_FC[req.area];
    case 'writeRegister':
      return FC.writeSingleRegister;
    case 'writeRegisters':
      return FC.writeMultipleRegisters;
    case 'writeCoil':
      return FC.writeSingleCoil;
    case 'writeCoils':
      return FC.writeMultipleCoils;
  }
}

function isUint16(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

/** Throws ModbusRequestError for a request no slave could answer; `units` is the valid unit range. */
export function validateRequest(req: ModbusRequest, units: { min: number; max: number }): void {
  const bad = (detail: string): never => {
    throw new ModbusRequestError(req.unit, detail);
  };
  if (!Number.isInteger(req.unit) || req.unit < units.min || req.unit > units.max) {
    bad(`unit must be ${units.min}-${units.max}, got ${req.unit}`);
  }
  if (!isUint16(req.address)) bad(`address must be 0-65535, got ${req.address}`);
  let count = 1;
  if (req.op === 'read') {
    const max = req.area === 'coil' || req.area === 'discrete' ? MAX_READ_BITS : MAX_READ_REGISTERS;
    if (!Number.isInteger(req.count) || req.count < 1 || req.count > max) bad(`count must be 1-${max}, got ${req.count}`);
    count = req.count;
  } else if (req.op === 'writeRegister') {
    if (!isUint16(req.value)) bad(`value must be 0-65535, got ${req.value}`);
  } else if (req.op === 'writeRegisters') {
    count = req.values.length;
    if (count < 1 || count > MAX_WRITE_REGISTERS) bad(`1-${MAX_WRITE_REGISTERS} values per write, got ${count}`);
    const wrong = req.values.find((v) => !isUint16(v));
    if (wrong !== undefined) bad(`values must be 0-65535, got ${wrong}`);
  } else if (req.op === 'writeCoils') {
    count = req.values.length;
    if (count < 1 || count > MAX_WRITE_COILS) bad(`1-${MAX_WRITE_COILS} coils per write, got ${count}`);
  }
  if (req.address + count > 0x10000) bad(`address ${req.address} + ${count} runs past 65535`);
}

export function encodeRequestPdu(req: ModbusRequest): Buffer {
  const r = jsmodbus.requests;
  switch (req.op) {
    case 'read':
      return encodeRead(req.area, req.address, req.count);
    case 'writeRegister':
      return new r.WriteSingleRegisterRequestBody(req.address, req.value).createPayload();
    case 'writeRegisters':
      return new r.WriteMultipleRegistersRequestBody(req.address, req.values).createPayload();
    case 'writeCoil':
      return new r.WriteSingleCoilRequestBody(req.address, req.value).createPayload();
    case 'writeCoils':
      return new r.WriteMultipleCoilsRequestBody(req.address, req.values).createPayload();
  }
}

function encodeRead(area: ModbusArea, address: number, count: number): Buffer {
  const r = jsmodbus.requests;
  switch (area) {
    case 'coil':
      return new r.ReadCoilsRequestBody(address, count).createPayload();
    case 'discrete':
      return new r.ReadDiscreteInputsRequestBody(address, count).createPayload();
    case 'holding':
      return new r.ReadHoldingRegistersRequestBody(address, count).createPayload();
    case 'input':
      return new r.ReadInputRegistersRequestBody(address, count).createPayload();
  }
}

/**
 * Length of the response PDU that starts at `pdu[0]`, from its function code (and byte count),
 * whoever it came from: `undefined` if more bytes are needed to tell, `null` if the first byte is
 * not a function code this master ever sends (so it cannot start a reply).
 */
export function responsePduLength(buf: Buffer, at = 0): number | null | undefined {
  if (buf.length <= at) return undefined;
  const fc = buf[at]!;
  if (fc & EXCEPTION_FLAG) return isKnownFc(fc & ~EXCEPTION_FLAG) ? 2 : null;
  if (fc >= FC.readCoils && fc <= FC.readInputRegisters) {
    if (buf.length <= at + 1) return undefined;
    const byteCount = buf[at + 1]!;
    return byteCount === 0 ? null : 2 + byteCount;
  }
  if (fc === FC.writeSingleCoil || fc === FC.writeSingleRegister || fc === FC.writeMultipleCoils || fc === FC.writeMultipleRegisters) {
    return 5;
  }
  return null;
}

function isKnownFc(fc: number): boolean {
  return Object.values(FC).includes(fc as (typeof FC)[keyof typeof FC]);
}

export type PduVerdict =
  | { kind: 'ok'; response: ModbusResponse }
  | { kind: 'exception'; exceptionCode: number }
  /** A well-formed reply that does not answer this request (stale, or for someone else). */
  | { kind: 'mismatch'; detail: string };

/** Matches a complete response PDU against the request and decodes its values. */
export function decodeResponsePdu(req: ModbusRequest, pdu: Buffer): PduVerdict {
  const fc = functionCodeOf(req);
  const got = pdu[0];
  if (got === (fc | EXCEPTION_FLAG) && pdu.length === 2) return { kind: 'exception', exceptionCode: pdu[1]! };
  if (got !== fc) return { kind: 'mismatch', detail: `function ${got} in reply to ${fc}` };
  const res = jsmodbus.responses;
  switch (req.op) {
    case 'read': {
      const isBits = req.area === 'coil' || req.area === 'discrete';
      const expectedBytes = isBits ? Math.ceil(req.count / 8) : req.count * 2;
      if (pdu[1] !== expectedBytes || pdu.length !== 2 + expectedBytes) {
        return { kind: 'mismatch', detail: `byte count ${pdu[1]} where ${expectedBytes} expected` };
      }
      if (isBits) {
        const body =
          req.area === 'coil' ? res.ReadCoilsResponseBody.fromBuffer(pdu) : res.ReadDiscreteInputsResponseBody.fromBuffer(pdu);
        if (!body) return { kind: 'mismatch', detail: 'undecodable bit reply' };
        // jsmodbus unpacks whole bytes; the padding bits of the last byte are not values.
        const bits = Array.from(body.valuesAsArray as ArrayLike<number>, (b) => b === 1).slice(0, req.count);
        return { kind: 'ok', response: { bits } };
      }
      const body =
        req.area === 'holding'
          ? res.ReadHoldingRegistersResponseBody.fromBuffer(pdu)
          : res.ReadInputRegistersResponseBody.fromBuffer(pdu);
      if (!body) return { kind: 'mismatch', detail: 'undecodable register reply' };
      return { kind: 'ok', response: { registers: Array.from(body.valuesAsArray as ArrayLike<number>) } };
    }
    case 'writeRegister':
    case 'writeCoil': {
      // Single writes echo the request exactly.
      const echo = encodeRequestPdu(req);
      return pdu.equals(echo) ? { kind: 'ok', response: {} } : { kind: 'mismatch', detail: 'write echo differs from request' };
    }
    case 'writeRegisters':
    case 'writeCoils': {
      // Function 15 and 16 replies both echo the start address and the quantity written (§6.11, §6.12).
      const start = pdu.length === 5 ? pdu.readUInt16BE(1) : -1;
      const quantity = pdu.length === 5 ? pdu.readUInt16BE(3) : -1;
      if (start !== req.address || quantity !== req.values.length) {
        return { kind: 'mismatch', detail: `write reply names other ${req.op === 'writeCoils' ? 'coils' : 'registers'}` };
      }
      return { kind: 'ok', response: {} };
    }
  }
}
