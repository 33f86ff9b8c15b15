import { idSchema, integer, object, oneOfStrings, POINT_NAME_PATTERN, SEVERITIES, type JsonSchema } from './common.js';

/** Schema of the `actions` section: local rules from events to outputs (types in ../io-types.ts). */

const KINDS = ['alarm', 'fault', 'restore', 'offline', 'online', 'tag_arrived', 'tag_left', 'tamper', 'test'];

const stepSchema: JsonSchema = object(
  'What one output does.',
  {
    output: idSchema('Name of an output (gpio.outputs[].name).'),
    mode: oneOfStrings('on, off, pulse (on for forMs) or pattern (on/off durations, repeated).', ['on', 'off', 'pulse', 'pattern']),
    forMs: integer('pulse: how long on (default 1000); on/pattern: stop after this long (default: until the event is restored).', 10, 86_400_000),
    pattern: {
      type: 'array',
      description: 'pattern: alternating on, off durations in ms, e.g. [500, 500] or [200, 200, 200, 1000].',
      minItems: 2,
      maxItems: 32,
      items: integer('A duration in ms.', 10, 600_000),
    },
  },
  ['output', 'mode'],
);

const ruleSchema: JsonSchema = object(
  'A local rule: when an event matches, drive outputs. Works with no network.',
  {
    name: idSchema('Rule name, for logs.'),
    when: object(
      'Which events trigger the rule; every given field must match.',
      {
        kinds: { type: 'array', minItems: 1, description: 'Event kinds, e.g. [alarm].', items: oneOfStrings('An event kind.', KINDS) },
        devices: { type: 'array', minItems: 1, description: 'Device, input or reader ids. Default: any.', items: idSchema('An id.') },
        points: { type: 'array', minItems: 1, description: 'Point names. Default: any.', items: { type: 'string', pattern: POINT_NAME_PATTERN } },
        severities: { type: 'array', minItems: 1, description: 'Severities. Default: any.', items: oneOfStrings('A severity.', SEVERITIES) },
      },
      ['kinds'],
    ),
    do: { type: 'array', minItems: 1, description: 'Output steps, run together.', items: stepSchema },
    untilRestore: { type: 'boolean', description: 'Return the outputs to their safe state when the event is restored. Default true.', default: true },
  },
  ['name', 'when', 'do'],
);

export const actionsSchema: JsonSchema = {
  type: 'array',
  description: 'Local actions: events drive sirens and relays on the gateway itself.',
  items: ruleSchema,
  default: [],
};
