import {
  Type,
  type ObjectOptions,
  type Static,
  type TBoolean,
  type TInteger,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnsafe,
} from '@sinclair/typebox';

/**
 * Schema building blocks shared by the config sections and the device profile schema (TypeBox, so
 * each config type is derived from its schema; see ./defaulted.ts for defaults). Every property
 * carries a description: editors (yaml-language-server) show it on hover.
 */

export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const POINT_NAME_PATTERN = '^[a-z][a-z0-9_]*$';

/** Ids end up in MQTT topics and log lines: no spaces, no '/', '+' or '#'. */
export function idSchema(description: string): TString {
  return Type.String({ description, minLength: 1, maxLength: 64, pattern: ID_PATTERN });
}

export function integer(description: string, minimum: number, maximum: number): TInteger {
  return Type.Integer({ description, minimum, maximum });
}

export function text(description: string): TString {
  return Type.String({ description, minLength: 1 });
}

export function flag(description: string): TBoolean {
  return Type.Boolean({ description });
}

/** A plain `enum` (TypeBox's own enums are `anyOf` lists, which would change the error messages). */
export function oneOfStrings<const T extends string>(description: string, values: readonly T[]): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', description, enum: [...values] });
}

export function oneOfIntegers<const T extends number>(description: string, values: readonly T[]): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'integer', description, enum: [...values] });
}

/** `additionalProperties: false` everywhere, so a typo is an error rather than an ignored setting. */
export function object<P extends TProperties>(description: string, properties: P, options: ObjectOptions = {}): TObject<P> {
  return Type.Object(properties, { description, additionalProperties: false, ...options });
}

/**
 * A map from names to values. `propertyNames` rather than TypeBox's `patternProperties`, so a bad
 * key is reported as a bad name instead of an unknown key.
 */
export function record<V extends TSchema>(description: string, keyPattern: string, values: V): TUnsafe<Record<string, Static<V>>> {
  return Type.Unsafe<Record<string, Static<V>>>({ type: 'object', description, propertyNames: { pattern: keyPattern }, additionalProperties: values });
}

/**
 * One of several object schemas, picked by the value of `propertyName` (ajv's `discriminator`), so
 * errors name only the chosen branch instead of every branch's (TypeBox's Union is a plain anyOf).
 */
export function discriminatedUnion<T extends TObject[]>(description: string, propertyName: string, branches: [...T]): TUnsafe<Static<T[number]>> {
  return Type.Unsafe<Static<T[number]>>({ type: 'object', description, discriminator: { propertyName }, oneOf: branches });
}

export const SEVERITIES = ['fire', 'critical', 'major', 'minor', 'info'] as const;

/** Where the thing is: the responder needs to know where the smoke is. */
export function locationSchema(description: string, minProperties = 1) {
  return object(
    description,
    {
      building: Type.Optional(text('Building name or number, e.g. "Haus B".')),
      // YAML reads `floor: 2` as a number; the loader turns it into text, hence the type.
      floor: Type.Optional(Type.Unsafe<string>({ type: ['string', 'integer'], description: 'Floor as people on site say it, e.g. "2", "EG", "basement".' })),
      room: Type.Optional(text('Room or area, e.g. "stairwell", "kitchen", "meter cabinet".')),
      note: Type.Optional(text('Anything the other fields do not cover, e.g. "above the stairwell door".')),
    },
    { minProperties },
  );
}

/** ThresholdSpec (src/model/point.ts) as a schema: used for profile defaults and per-device overrides. */
export const thresholdSchema = object("Threshold rule for a numeric point (in the point's unit, after scaling).", {
  high: Type.Optional(Type.Number({ description: 'Raise the event when the value is above this.' })),
  low: Type.Optional(Type.Number({ description: 'Raise the event when the value is below this.' })),
  hysteresis: Type.Optional(Type.Number({ minimum: 0, description: 'Restore only once the value is back inside by this much. Default 0.' })),
  onDelayMs: Type.Optional(integer('The condition must hold this long (ms) before the event is raised. Default 0.', 0, 3_600_000)),
  kind: Type.Optional(oneOfStrings('Event raised: an alarm (default) or a fault (e.g. a sensor out of its range).', ['alarm', 'fault'])),
  severity: Type.Optional(oneOfStrings('Severity of the event. Default critical; a smoke density alarm is fire.', SEVERITIES)),
});
