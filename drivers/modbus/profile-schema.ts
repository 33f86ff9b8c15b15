import { Type } from '@sinclair/typebox';
import { flag, integer, object, oneOfStrings, POINT_NAME_PATTERN, SEVERITIES, text, thresholdSchema } from '../../src/config/sections/common.js';
import { Defaulted, DerivedDefault } from '../../src/config/sections/defaulted.js';
import { commandSchema } from './profile-command-schema.js';
import { pointLabelFields } from '../../src/config/sections/labels.js';

/** Schema of a Modbus device profile; the profile types (./profile-types.ts) are derived from it. */

const ORDER_HELP =
  'big = most significant first (Modbus standard). Byte order swaps the two bytes inside each register; word order swaps the two registers of a 32-bit value: ABCD = big/big, CDAB = big bytes/little words, BADC = little/big, DCBA = little/little.';

const ORDERS = ['big', 'little'] as const;
const ROLES = ['value', 'alarm', 'fault', 'tamper'] as const;

const pointName = (description: string) => Type.String({ description, minLength: 1, maxLength: 64, pattern: POINT_NAME_PATTERN });
const address = () =>
  integer(
    '0-based protocol address as sent on the wire. Manuals often print 1-based numbers: 40001 (holding) / 30001 (input) / 00001 (coil) / 10001 (discrete) is address 0 here; 40101 is 100.',
    0,
    65535,
  );

export const pointSchema = object('One value point: a register (two for 32-bit types) or a coil / discrete input.', {
  name: pointName('Point name (lower_snake_case), as it appears in readings, events and threshold overrides.'),
  description: Type.Optional(text('What the point is, e.g. "Smoke obscuration of the optical chamber".')),
  area: oneOfStrings('Modbus table: holding (FC3), input (FC4), coil (FC1), discrete (FC2).', ['holding', 'input', 'coil', 'discrete']),
  address: address(),
  type: oneOfStrings('Raw type: int16, uint16, int32, uint32, float32 (two registers) or bool (a coil/discrete, or register != 0).', [
    'int16',
    'uint16',
    'int32',
    'uint32',
    'float32',
    'bool',
  ]),
  // Inherited from the profile by ./profile.ts, so decoding never has to look at two places.
  byteOrder: DerivedDefault(oneOfStrings(`Byte order inside each register; default: the profile's byteOrder. ${ORDER_HELP}`, ORDERS)),
  wordOrder: DerivedDefault(oneOfStrings(`Word order of 32-bit types; default: the profile's wordOrder. ${ORDER_HELP}`, ORDERS)),
  scale: Type.Optional(
    Type.Number({ description: 'value = raw * scale + offset; not 0. "0.1 mA/LSB" in a manual is scale 0.1. Applied by the runtime, once.' }),
  ),
  offset: Type.Optional(Type.Number({ description: 'Added after scaling, e.g. -40 for a temperature sent as raw + 40.' })),
  unit: Type.Optional(text('Unit after scaling: mA, °C, dB/m, %/m...')),
  min: Type.Optional(Type.Number({ description: 'Plausibility lower limit (after scaling): below it the reading is bad and no rule fires.' })),
  max: Type.Optional(Type.Number({ description: 'Plausibility upper limit (after scaling).' })),
  thresholds: Type.Optional(thresholdSchema),
  deadband: Type.Optional(Type.Number({ minimum: 0, description: 'Report-by-exception: publish only if the value moved more than this.' })),
  maxSilenceMs: Type.Optional(integer('Report-by-exception: publish at least this often (ms).', 1000, 86_400_000)),
  role: Type.Optional(oneOfStrings('bool points: what true means: value (plain state), alarm, fault or tamper.', ROLES)),
  severity: Type.Optional(oneOfStrings('bool alarm/fault points: severity of the event (alarm default fire, fault default major).', SEVERITIES)),
  activeLow: Defaulted(flag('bool points: the active state is false (normally-closed contact). Default false.'), false),
  decimals: Type.Optional(integer('Decimals shown to people (console, report). Default: from scale (0.01 -> 2), 2 for float32.', 0, 6)),
  ...pointLabelFields,
});

export const bitSchema = object('One named bit of the register.', {
  bit: integer('Bit number, 0 = least significant bit of the register value, 15 = most significant.', 0, 15),
  name: pointName('Point name of this bit (lower_snake_case).'),
  description: Type.Optional(text('What the bit means, as in the manual.')),
  role: oneOfStrings('What a set bit means: alarm, fault, tamper, or value (plain state, no event).', ROLES),
  severity: Type.Optional(oneOfStrings('Severity of the event (alarm default fire, fault default major).', SEVERITIES)),
  activeLow: Defaulted(flag('The condition is active when the bit is 0. Default false.'), false),
  ...pointLabelFields,
});

export const bitFieldSchema = object('A status register whose bits are separate boolean points.', {
  area: oneOfStrings('Modbus table of the register: holding or input.', ['holding', 'input']),
  address: address(),
  description: Type.Optional(text('The register as named in the manual, e.g. "Status word".')),
  bits: Type.Array(bitSchema, { description: 'The named bits.', minItems: 1 }),
});

export const readLimitsSchema = object('How reads may be batched.', {
  maxRegisters: Defaulted(integer('Registers per request (Modbus maximum 125). Default 125.', 2, 125), 125),
  maxBits: Defaulted(integer('Coils / discrete inputs per request (Modbus maximum 2000). Default 2000.', 1, 2000), 2000),
  maxGap: Defaulted(
    integer(
      'Unused addresses one request may span instead of two requests. Default 0: many devices answer "illegal data address" for unmapped registers.',
      0,
      124,
    ),
    0,
  ),
});

export const modbusProfileSchema = Type.Object(
  {
    model: text('Model designation as printed on the device.'),
    manufacturer: Type.Optional(text('Manufacturer.')),
    kind: Type.String({
      description: 'What the device is: smoke, residual-current, heat, gas, io, ... (shown to installers and the platform).',
      pattern: '^[a-z][a-z0-9-]*$',
    }),
    description: Type.Optional(text('A sentence about the device.')),
    example: Defaulted(flag("true = the register map is an example, to be checked against the vendor's manual before use. Default false."), false),
    byteOrder: Defaulted(oneOfStrings(`Default byte order for all points. Default big. ${ORDER_HELP}`, ORDERS), 'big'),
    wordOrder: Defaulted(oneOfStrings(`Default word order for 32-bit points. Default big. ${ORDER_HELP}`, ORDERS), 'big'),
    reads: Defaulted(readLimitsSchema, {}),
    points: Defaulted(Type.Array(pointSchema, { description: 'Value points.' }), []),
    bitFields: Defaulted(Type.Array(bitFieldSchema, { description: 'Status registers split into named bits.' }), []),
    commands: Defaulted(Type.Array(commandSchema, { description: 'What the device can be told to do (drivers/modbus/README.md, "Commands").' }), []),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'hearth Modbus device profile',
    description: "A device model as data: the register map of one vendor's model. One file per model.",
    additionalProperties: false,
  },
);
