import { Type } from '@sinclair/typebox';
import { discriminatedUnion, idSchema, integer, object, oneOfIntegers, oneOfStrings, text } from './common.js';
import { Defaulted } from './defaulted.js';

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

function common(timeoutDefault: number) {
  return {
    id: idSchema('Bus id, referred to by devices[].bus.'),
    timeoutMs: Defaulted(integer(`Response timeout per request in ms. Default ${timeoutDefault}.`, 10, 60_000), timeoutDefault),
    retries: Defaulted(integer('Retries of a failed request before the poll counts as failed. Default 1.', 0, 10), 1),
    interFrameGapMs: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1000, description: 'Silence between frames in ms. Default: 3.5 characters at the baud rate, at least 1.75 ms.' }),
    ),
  };
}

/** Typed number, not the list: a bus scan (src/bus/modbus/scan.ts) also tries rates a config may not set. */
const baudRate = (description: string) => Defaulted(Type.Unsafe<number>({ type: 'integer', description, enum: [...BAUD_RATES] }), 9600);

export const rtuSerialSchema = object('Modbus RTU on a local RS-485 adapter.', {
  type: Type.Literal('modbus-rtu', { description: 'Modbus RTU over a serial port.' }),
  ...common(300),
  port: Type.String({
    minLength: 1,
    pattern: '^/',
    description: 'Serial device path, e.g. /dev/ttyUSB0 or (stable across reboots) /dev/serial/by-id/...',
  }),
  baudRate: baudRate('Baud rate, as set on the devices. Default 9600.'),
  parity: Defaulted(oneOfStrings('Parity. Default none.', ['none', 'even', 'odd']), 'none'),
  dataBits: Defaulted(oneOfIntegers('Data bits. Default 8.', [7, 8]), 8),
  stopBits: Defaulted(oneOfIntegers('Stop bits. Default 1.', [1, 2]), 1),
});

export const rtuOverTcpSchema = object('Modbus RTU frames through a serial device server (RS-485 to Ethernet converter in transparent mode).', {
  type: Type.Literal('modbus-rtu-over-tcp', { description: 'RTU frames carried over a TCP socket.' }),
  ...common(1000),
  host: text('Device server host name or IP address.'),
  port: Defaulted(integer('Device server TCP port.', 1, 65535), 502),
  baudRate: baudRate('Baud rate of the serial side, used only for the inter-frame gap. Default 9600.'),
});

export const tcpSchema = object('Modbus TCP (a native TCP device, or a gateway in Modbus TCP mode).', {
  type: Type.Literal('modbus-tcp', { description: 'Modbus TCP (MBAP framing).' }),
  ...common(1000),
  host: text('Device or gateway host name or IP address.'),
  port: Defaulted(integer('TCP port. Default 502.', 1, 65535), 502),
});

/** `type` selects the branch, so errors name only the chosen kind of bus. */
export const busSchema = discriminatedUnion(
  'One field bus: a serial line or a TCP connection carrying Modbus requests, one at a time.',
  'type',
  [rtuSerialSchema, rtuOverTcpSchema, tcpSchema],
);

export const busesSchema = Defaulted(Type.Array(busSchema, { description: 'Field buses. Each device names the bus it is on.' }), []);
