/**
 * Schema building blocks shared by the config sections and the device profile schema. Every
 * property carries a description: editors (yaml-language-server) show it on hover.
 */

export type JsonSchema = Record<string, unknown>;

export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const POINT_NAME_PATTERN = '^[a-z][a-z0-9_]*$';

/** Ids end up in MQTT topics and log lines: no spaces, no '/', '+' or '#'. */
export function idSchema(description: string): JsonSchema {
  return { type: 'string', description, minLength: 1, maxLength: 64, pattern: ID_PATTERN };
}

export function integer(description: string, minimum: number, maximum: number, defaultValue?: number): JsonSchema {
  return { type: 'integer', description, minimum, maximum, ...(defaultValue === undefined ? {} : { default: defaultValue }) };
}

export function text(description: string, defaultValue?: string): JsonSchema {
  return { type: 'string', description, minLength: 1, ...(defaultValue === undefined ? {} : { default: defaultValue }) };
}

export function flag(description: string, defaultValue: boolean): JsonSchema {
  return { type: 'boolean', description, default: defaultValue };
}

export function oneOfStrings(description: string, values: readonly string[], defaultValue?: string): JsonSchema {
  return { type: 'string', description, enum: [...values], ...(defaultValue === undefined ? {} : { default: defaultValue }) };
}

export function object(description: string, properties: Record<string, JsonSchema>, required: string[] = [], extra: JsonSchema = {}): JsonSchema {
  return {
    type: 'object',
    description,
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
    properties,
    ...extra,
  };
}

export const SEVERITIES = ['fire', 'critical', 'major', 'minor', 'info'] as const;

export const locationSchema: JsonSchema = object(
  'Where the thing is: the responder needs to know where the smoke is. Set at least one field.',
  {
    building: text('Building name or number, e.g. "Haus B".'),
    floor: { type: ['string', 'integer'], description: 'Floor as people on site say it, e.g. "2", "EG", "basement".' },
    room: text('Room or area, e.g. "stairwell", "kitchen", "meter cabinet".'),
    note: text('Anything the other fields do not cover, e.g. "above the stairwell door".'),
  },
  [],
  { minProperties: 1 },
);

/** ThresholdSpec (src/model/point.ts) as a schema: used for profile defaults and per-device overrides. */
export const thresholdSchema: JsonSchema = object('Threshold rule for a numeric point (in the point\'s unit, after scaling).', {
  high: { type: 'number', description: 'Raise the event when the value is above this.' },
  low: { type: 'number', description: 'Raise the event when the value is below this.' },
  hysteresis: { type: 'number', minimum: 0, description: 'Restore only once the value is back inside by this much. Default 0.' },
  onDelayMs: integer('The condition must hold this long (ms) before the event is raised. Default 0.', 0, 3_600_000),
  kind: oneOfStrings('Event raised: an alarm (default) or a fault (e.g. a sensor out of its range).', ['alarm', 'fault']),
  severity: oneOfStrings('Severity of the event. Default critical; a smoke density alarm is fire.', SEVERITIES),
});
