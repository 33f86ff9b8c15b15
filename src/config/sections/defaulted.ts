import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * How a default shows in the config types.
 *
 * Every config type is `Static<>` of its schema and describes the config as the runtime receives
 * it: validated, then completed by ../defaults.ts (and drivers/modbus/profile.ts for profiles). A
 * property with a default may be left out of the file, yet it is always there after loading. In
 * TypeBox alone it would be either optional in the type (Type.Optional) or required in the file (a
 * plain property); neither is true, so the schemas mark such a property with one of:
 *
 * - `Defaulted(schema, value)`: left out of `required`, `default: value` in the schema (editors show
 *   it, applySchemaDefaults fills it in), required in the static type.
 * - `DerivedDefault(schema)`: the same for a default that depends on other values (outbox.path from
 *   gateway.stateDir, a point's byteOrder from its profile's): no `default` keyword, the loader's
 *   code fills it in and the description says so.
 *
 * Both are Type.Optional at run time, so Type.Object leaves them out of `required`, but keep the
 * plain schema's TypeScript type, so Static<> makes them required. Both carry PRESENT_AFTER_LOAD:
 * test/config/loaded-shape.test.ts checks that loading really fills in every property so marked.
 */
export const PRESENT_AFTER_LOAD = Symbol.for('hearth.config.presentAfterLoad');

/** A default as written in the schema; `{}` for a section whose own properties carry the defaults. */
type DefaultValue<T extends TSchema> = Static<T> extends object ? Static<T> | Record<string, never> : Static<T>;

export function Defaulted<T extends TSchema>(schema: T, value: DefaultValue<T>): T {
  return { ...Type.Optional(schema), default: value, [PRESENT_AFTER_LOAD]: true } as unknown as T;
}

export function DerivedDefault<T extends TSchema>(schema: T): T {
  return { ...Type.Optional(schema), [PRESENT_AFTER_LOAD]: true } as unknown as T;
}
