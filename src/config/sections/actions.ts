import { Type } from '@sinclair/typebox';
import type { EventKind } from '../../model/event.js';
import { flag, idSchema, integer, object, oneOfStrings, POINT_NAME_PATTERN, SEVERITIES } from './common.js';
import { Defaulted } from './defaulted.js';

/** Schema of the `actions` section: local rules from events to outputs. */

/** Every kind but `dropped` (the outbox's own bookkeeping); typed EventKind so a rule compares with any event's kind. */
const KINDS: readonly EventKind[] = ['alarm', 'fault', 'restore', 'offline', 'online', 'tag_arrived', 'tag_left', 'tamper', 'test'];

export const actionStepSchema = object('What one output does.', {
  output: idSchema('Name of an output (gpio.outputs[].name).'),
  mode: oneOfStrings('on, off, pulse (on for forMs) or pattern (on/off durations, repeated).', ['on', 'off', 'pulse', 'pattern']),
  forMs: Type.Optional(
    integer('pulse: how long on (default 1000); on/pattern: stop after this long (default: until the event is restored).', 10, 86_400_000),
  ),
  pattern: Type.Optional(
    Type.Array(integer('A duration in ms.', 10, 600_000), {
      description: 'pattern: alternating on, off durations in ms, e.g. [500, 500] or [200, 200, 200, 1000].',
      minItems: 2,
      maxItems: 32,
    }),
  ),
});

export const commandStepSchema = object('A device command the rule runs, e.g. trip the breaker of the circuit in alarm. Its profile must mark it fromRules.', {
  device: idSchema('A Modbus device (devices[].id).'),
  command: Type.String({ pattern: POINT_NAME_PATTERN, description: "A command of the device's profile, e.g. trip." }),
});

const triggerSchema = object('Which events trigger the rule; every given field must match.', {
  kinds: Type.Array(oneOfStrings('An event kind.', KINDS), { minItems: 1, description: 'Event kinds, e.g. [alarm].' }),
  devices: Type.Optional(Type.Array(idSchema('An id.'), { minItems: 1, description: 'Device, input or reader ids. Default: any.' })),
  points: Type.Optional(Type.Array(Type.String({ pattern: POINT_NAME_PATTERN }), { minItems: 1, description: 'Point names. Default: any.' })),
  severities: Type.Optional(Type.Array(oneOfStrings('A severity.', SEVERITIES), { minItems: 1, description: 'Severities. Default: any.' })),
});

export const localActionRuleSchema = object('A local rule: when an event matches, drive outputs and run device commands. Works with no network.', {
  name: idSchema('Rule name, for logs.'),
  when: triggerSchema,
  do: Defaulted(Type.Array(actionStepSchema, { description: 'Output steps, run together.' }), []),
  commands: Defaulted(
    Type.Array(commandStepSchema, { description: 'Device commands, run at once beside the output steps (each confirmed by its read-back).' }),
    [],
  ),
  untilRestore: Defaulted(flag('Return the outputs to their safe state when the event is restored. Default true.'), true),
});

export const actionsSchema = Defaulted(
  Type.Array(localActionRuleSchema, { description: 'Local actions: events drive sirens and relays on the gateway itself.' }),
  [],
);
