import { idSchema, integer, object, oneOfStrings, text, type JsonSchema } from './common.js';

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

function common(timeoutDefault: number): Record<string, JsonSchema> {
  return {
    id: idSchema('Bus id, referred to by devices[].bus.'),
    timeoutMs: integer(`Response timeout per request in ms. Default ${timeoutDefault}.`, 10, 60_000, timeoutDefault),
    retries: integer('Retries of a failed request before the poll counts as failed. Default 1.', 0, 10, 1),
    interFrameGapMs: { type: 'number', minimum: 0, maximum: 1000, description: 'Silence between frames in ms. Default: 3.5 characters at the baud rate, at least 1.75 ms.' },
  };
}

const baudRate = (description: string): JsonSchema => ({ type: 'integer', description, enum: BAUD_RATES, default: 9600 });

const rtuSerial = object(
  'Modbus RTU on a local RS-485 adapter.',
  {
    type: { const: 'modbus-rtu', description: 'Modbus RTU over a serial port.' },
    ...common(300),
    port: { type: 'string', minLength: 1, pattern: '^/', description: 'Serial device path, e.g. /dev/ttyUSB0 or (stable across reboots) /dev/serial/by-id/...' },
    baudRate: baudRate('Baud rate, as set on the devices. Default 9600.'),
    parity: oneOfStrings('Parity. Default none.', ['none', 'even', 'odd'], 'none'),
    dataBits: { type: 'integer', enum: [7, 8], default: 8, description: 'Data bits. Default 8.' },
    stopBits: { type: 'integer', enum: [1, 2], default: 1, description: 'Stop bits. Default 1.' },
  },
  ['id', 'type', 'port'],
);

const rtuOverTcp = object(
  'Modbus RTU frames through a serial device server (RS-485 to Ethernet converter in transparent mode).',
  {
    type: { const: 'modbus-rtu-over-tcp', description: 'RTU frames carried over a TCP socket.' },
    ...common(1000),
    host: text('Device server host name or IP address.'),
    port: integer('Device server TCP port.', 1, 65535, 502),
    baudRate: baudRate('Baud rate of the serial side, used only for the inter-frame gap. Default 9600.'),
  },
  ['id', 'type', 'host'],
);

const tcp = object(
  'Modbus TCP (a native TCP device, or a gateway in Modbus TCP mode).',
  {
    type: { const: 'modbus-tcp', description: 'Modbus TCP (MBAP framing).' },
    ...common(1000),
    host: text('Device or gateway host name or IP address.'),
    port: integer('TCP port. Default 502.', 1, 65535, 502),
  },
  ['id', 'type', 'host'],
);

/** `type` selects the branch (ajv discriminator), so errors name only the chosen kind of bus. */
export const busSchema: JsonSchema = {
  type: 'object',
  description: 'One field bus: a serial line or a TCP connection carrying Modbus requests, one at a time.',
  discriminator: { propertyName: 'type' },
  oneOf: [rtuSerial, rtuOverTcp, tcp],
};

export const busesSchema: JsonSchema = {
  type: 'array',
  description: 'Field buses. Each device names the bus it is on.',
  items: busSchema,
  default: [],
};
