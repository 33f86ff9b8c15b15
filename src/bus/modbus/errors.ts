import { HearthError } from '../../errors.js';

/**
 * Typed Modbus failures. The retry loop branches on the class (or `code`): timeouts, CRC errors and
 * malformed replies are line trouble and are retried; an exception reply is the slave's considered
 * answer and is not; a closed or disconnected bus fails fast.
 */
export class ModbusError extends HearthError {
  constructor(
    code: string,
    message: string,
    /** The unit the request was addressed to, when there was one. */
    readonly unit?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export class ModbusTimeoutError extends ModbusError {
  constructor(unit: number, readonly timeoutMs: number) {
    super('MODBUS_TIMEOUT', `unit ${unit}: no reply within ${timeoutMs} ms`, unit);
  }
}

/** Modbus exception codes (Modbus Application Protocol v1.1b3 §7). */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0x01: 'illegal function',
  0x02: 'illegal data address',
  0x03: 'illegal data value',
  0x04: 'server device failure',
  0x05: 'acknowledge',
  0x06: 'server device busy',
  0x08: 'memory parity error',
  0x0a: 'gateway path unavailable',
  0x0b: 'gateway target device failed to respond',
};

export function exceptionName(exceptionCode: number): string {
  return EXCEPTION_NAMES[exceptionCode] ?? `unknown exception 0x${exceptionCode.toString(16)}`;
}

export class ModbusExceptionError extends ModbusError {
  readonly exceptionName: string;
  constructor(
    unit: number,
    readonly functionCode: number,
    readonly exceptionCode: number,
  ) {
    const name = exceptionName(exceptionCode);
    super('MODBUS_EXCEPTION', `unit ${unit}: exception ${exceptionCode} (${name}) to function ${functionCode}`, unit);
    this.exceptionName = name;
  }
}

export class ModbusCrcError extends ModbusError {
  constructor(unit: number, readonly expected: number, readonly received: number) {
    super(
      'MODBUS_CRC',
      `unit ${unit}: CRC mismatch (computed 0x${expected.toString(16)}, received 0x${received.toString(16)})`,
      unit,
    );
  }
}

export class ModbusMalformedError extends ModbusError {
  constructor(unit: number | undefined, detail: string) {
    super('MODBUS_MALFORMED', unit === undefined ? detail : `unit ${unit}: ${detail}`, unit);
  }
}

/** The request itself is out of range (unit, address, count, value); nothing was sent. */
export class ModbusRequestError extends ModbusError {
  constructor(unit: number | undefined, detail: string) {
    super('MODBUS_BAD_REQUEST', detail, unit);
  }
}

export class BusClosedError extends ModbusError {
  constructor(busId: string) {
    super('BUS_CLOSED', `bus ${busId} is closed`);
  }
}

export class BusDisconnectedError extends ModbusError {
  constructor(busId: string, cause?: unknown) {
    super('BUS_DISCONNECTED', `bus ${busId} is not connected`, undefined, { cause });
  }
}

/** Line trouble worth another attempt; everything else is final. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ModbusTimeoutError || err instanceof ModbusCrcError || err instanceof ModbusMalformedError;
}
