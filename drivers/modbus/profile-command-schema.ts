import { Type } from '@sinclair/typebox';
import { flag, integer, object, oneOfIntegers, oneOfStrings, POINT_NAME_PATTERN, text } from '../../src/config/sections/common.js';
import { Defaulted } from '../../src/config/sections/defaulted.js';
import { labelsSchema } from '../../src/config/sections/labels.js';

/**
 * Schema of a profile's commands: what a device can be told to do (trip, close, self-test, reset),
 * as data beside what is read from it. Checked beyond the schema by ./profile-command-checks.ts.
 */

const name = (description: string) => Type.String({ description, minLength: 1, maxLength: 64, pattern: POINT_NAME_PATTERN });
const scalar = Type.Union([Type.Number(), Type.Boolean()]);

export const commandParamSchema = object('A value the caller gives when running the command.', {
  name: name('Parameter name (lower_snake_case), as given to `hearth write DEVICE COMMAND name=value`.'),
  description: Type.Optional(text('What the value means, with its unit.')),
  labels: Type.Optional(labelsSchema),
  min: Type.Number({ description: 'Lowest value accepted (in the unit the caller uses, before scale).' }),
  max: Type.Number({ description: 'Highest value accepted.' }),
  scale: Type.Optional(Type.Number({ description: 'The register gets value / scale (a manual\'s "0.1 A/LSB" is scale 0.1). Default 1.' })),
  unit: Type.Optional(text('Unit of the value, e.g. mA, s.')),
});

export const commandWriteSchema = object('What the command writes.', {
  area: oneOfStrings('Writable Modbus table: coil (functions 05/15) or holding (06/16).', ['coil', 'holding']),
  address: integer('0-based protocol address of the first coil or register written (40001 in a manual is 0 here).', 0, 65535),
  value: Type.Optional(scalar),
  values: Type.Optional(Type.Array(scalar, { minItems: 1, maxItems: 123, description: 'A fixed block written from `address` on (function 15 or 16).' })),
  param: Type.Optional(name('Write the value of this parameter (scaled) to `address`.')),
  function: Type.Optional(
    oneOfIntegers(
      'Function code to use: 5 (one coil), 6 (one register), 15 (coils), 16 (registers). Default: the single-write function for one value, the multiple one for a block; some devices accept only 16, even for one register.',
      [5, 6, 15, 16],
    ),
  ),
});

export const commandConfirmSchema = object('The read-back that confirms the command took effect.', {
  point: name('A point or bit of this profile, read after the write until it shows `equals`.'),
  equals: Type.Optional(scalar),
  withinMs: Defaulted(integer('How long the device may take to show the effect (ms). Default 5000.', 100, 300_000), 5000),
});

export const commandSchema = object('A named command of the device.', {
  name: name('Command name (lower_snake_case): trip, close, self_test, reset_alarm, silence_sounder...'),
  description: Type.Optional(text('What the command does, as the manual says it.')),
  labels: Type.Optional(labelsSchema),
  write: commandWriteSchema,
  params: Defaulted(Type.Array(commandParamSchema, { description: 'Values the caller gives.' }), []),
  confirm: Type.Optional(commandConfirmSchema),
  safety: Defaulted(
    flag(
      'Safety-relevant (e.g. closing a breaker onto a circuit that tripped): a person must confirm it, in the console or with --confirm, and no local rule may run it. Default false.',
    ),
    false,
  ),
  fromRules: Defaulted(flag('Local rules may run it (e.g. trip the circuit on an electrical-fire alarm). Never together with safety. Default false.'), false),
  idempotent: Defaulted(
    flag(
      'Sending it twice has the effect of sending it once (it writes a state, e.g. coil off): retried after a timeout or a CRC error. A pulse (start a self-test) is not. Default false.',
    ),
    false,
  ),
  urgent: Defaulted(flag('Fire-related: queued before the polls of the bus. Commands run by a rule are always urgent. Default false.'), false),
});
