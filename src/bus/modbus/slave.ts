import jsmodbus from 'jsmodbus';
import { FC } from './pdu.js';
import { ILLEGAL_DATA_VALUE, SlaveException, type RegisterMap } from './register-map.js';

/**
 * The slave side of a PDU exchange over a RegisterMap: request PDU in, response PDU out (or
 * nothing, when the unit does not exist: a dead slave is silent). Requests are decoded and replies
 * encoded with jsmodbus's body classes; the register store and the range checks are ours, because
 * jsmodbus's server keeps a single register space for all unit ids and answers reads past its
 * buffers with short, malformed replies instead of an illegal-data-address exception.
 */
const ILLEGAL_FUNCTION = 0x01;
const SERVER_DEVICE_FAILURE = 0x04;

export function answerPdu(map: RegisterMap, unit: number, pdu: Buffer): Buffer | undefined {
  if (!map.hasUnit(unit) || pdu.length === 0) return undefined;
  const fc = pdu[0]!;
  try {
    return dispatch(map, unit, fc, pdu);
  } catch (err) {
    const code = err instanceof SlaveException ? err.exceptionCode : SERVER_DEVICE_FAILURE;
    type Args = ConstructorParameters<typeof jsmodbus.responses.ExceptionResponseBody>;
    return new jsmodbus.responses.ExceptionResponseBody((fc & 0x7f) as Args[0], code as Args[1]).createPayload();
  }
}

function dispatch(map: RegisterMap, unit: number, fc: number, pdu: Buffer): Buffer {
  const rq = jsmodbus.requests;
  const rs = jsmodbus.responses;
  const bad = (what: string): never => {
    throw new SlaveException(ILLEGAL_DATA_VALUE, what);
  };
  switch (fc) {
    case FC.readCoils:
    case FC.readDiscreteInputs: {
      const body = fc === FC.readCoils ? rq.ReadCoilsRequestBody.fromBuffer(pdu) : rq.ReadDiscreteInputsRequestBody.fromBuffer(pdu);
      if (!body || pdu.length !== 5 || body.count < 1 || body.count > 2000) return bad('bad bit read');
      const bits = map.readBits(unit, fc === FC.readCoils ? 'coil' : 'discrete', body.start, body.count);
      const Body = fc === FC.readCoils ? rs.ReadCoilsResponseBody : rs.ReadDiscreteInputsResponseBody;
      return new Body(bits.map((b) => (b ? 1 : 0)), Math.ceil(bits.length / 8)).createPayload();
    }
    case FC.readHoldingRegisters:
    case FC.readInputRegisters: {
      const holding = fc === FC.readHoldingRegisters;
      const body = holding ? rq.ReadHoldingRegistersRequestBody.fromBuffer(pdu) : rq.ReadInputRegistersRequestBody.fromBuffer(pdu);
      if (!body || pdu.length !== 5 || body.count < 1 || body.count > 125) return bad('bad register read');
      const values = map.readRegisters(unit, holding ? 'holding' : 'input', body.start, body.count);
      const Body = holding ? rs.ReadHoldingRegistersResponseBody : rs.ReadInputRegistersResponseBody;
      return new Body(values.length * 2, values).createPayload();
    }
    case FC.writeSingleRegister: {
      const body = rq.WriteSingleRegisterRequestBody.fromBuffer(pdu);
      if (!body || pdu.length !== 5) return bad('bad register write');
      map.write(unit, 'holding', body.address, [body.value]);
      return rs.WriteSingleRegisterResponseBody.fromRequest(body).createPayload();
    }
    case FC.writeSingleCoil: {
      const body = rq.WriteSingleCoilRequestBody.fromBuffer(pdu);
      // jsmodbus reads any value other than 0xFF00 as "off"; the spec makes it an error.
      const raw = pdu.length === 5 ? pdu.readUInt16BE(3) : -1;
      if (!body || (raw !== 0 && raw !== 0xff00)) return bad('coil value must be 0x0000 or 0xFF00');
      map.write(unit, 'coil', body.address, [raw === 0xff00]);
      return rs.WriteSingleCoilResponseBody.fromRequest(body).createPayload();
    }
    case FC.writeMultipleRegisters: {
      const body = rq.WriteMultipleRegistersRequestBody.fromBuffer(pdu);
      const quantity = pdu.length >= 5 ? pdu.readUInt16BE(3) : -1;
      if (!body || quantity < 1 || quantity > 123 || body.valuesAsArray.length !== quantity) return bad('bad register block');
      map.write(unit, 'holding', body.address, body.valuesAsArray);
      return rs.WriteMultipleRegistersResponseBody.fromRequest(body).createPayload();
    }
    case FC.writeMultipleCoils: {
      const body = rq.WriteMultipleCoilsRequestBody.fromBuffer(pdu);
      if (!body || body.quantity < 1 || body.quantity > 1968) return bad('bad coil block');
      // jsmodbus types these as booleans but fills them with 0/1.
      const bits = Array.from(body.valuesAsArray as unknown as ArrayLike<number | boolean>, (b) => b === 1 || b === true).slice(0, body.quantity);
      map.write(unit, 'coil', body.address, bits);
      return rs.WriteMultipleCoilsResponseBody.fromRequest(body).createPayload();
    }
    default:
      throw new SlaveException(ILLEGAL_FUNCTION, `function ${fc} not supported`);
  }
}
