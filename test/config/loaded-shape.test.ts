import t from 'tap';
import { parseProfile } from '../../drivers/modbus/profile.js';
import { modbusProfileSchema } from '../../drivers/modbus/profile-schema.js';
import type { BitDef, ModbusPointDef } from '../../drivers/modbus/profile-types.js';
import type { ModbusArea } from '../../src/bus/modbus/types.js';
import type { GpioInputConfig } from '../../src/config/io-types.js';
import { parseConfig } from '../../src/config/load.js';
import { hearthConfigSchema } from '../../src/config/schema.js';
import { compileSchema } from '../../src/config/schema-validator.js';
import { PRESENT_AFTER_LOAD } from '../../src/config/sections/defaulted.js';
import type { DeviceConfig } from '../../src/config/types.js';
import type { Severity } from '../../src/model/event.js';
import type { Location } from '../../src/model/location.js';
import type { PointRole, ThresholdSpec } from '../../src/model/point.js';

/**
 * The config and profile types are Static<> of their schemas, so a property cannot differ between
 * the two. Two things still can drift, and this file catches them:
 * - a property the types promise is always there (Defaulted, DerivedDefault) that loading no
 *   longer fills in: a config and a profile that set only what is required are loaded, then validated
 *   against the schema with those properties required (and each of them must have been reached);
 * - the model types (src/model/, below config in the layers) that the schemas restate: checked
 *   for equality at compile time (`npm test` type-checks first).
 */

/** Strict equality (mutual assignability would let either side gain an optional property). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const modelTypesMatch: Equal<DeviceConfig['location'], Location> &
  Equal<NonNullable<ModbusPointDef['thresholds']>, ThresholdSpec> &
  Equal<NonNullable<GpioInputConfig['severity']>, Severity> &
  Equal<BitDef['role'], PointRole> &
  Equal<ModbusPointDef['area'], ModbusArea> = true;

type Schema = Record<string | symbol, unknown>;

/** The schema of what loading returns: marked properties required. Their paths go to `marked`. */
function asLoaded(schema: Schema, path: string, marked: string[]): Schema {
  const out: Schema = { ...schema };
  if (schema.properties) {
    const entries = Object.entries(schema.properties as Record<string, Schema>);
    const present = entries.filter(([, sub]) => sub[PRESENT_AFTER_LOAD] === true).map(([key]) => key);
    marked.push(...present.map((key) => `${path}.${key}`));
    out.required = [...((schema.required as string[] | undefined) ?? []), ...present];
    out.properties = Object.fromEntries(entries.map(([key, sub]) => [key, asLoaded(sub, `${path}.${key}`, marked)]));
  }
  if (typeof schema.items === 'object') out.items = asLoaded(schema.items as Schema, path, marked);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = asLoaded(schema.additionalProperties as Schema, `${path}.*`, marked);
  if (Array.isArray(schema.oneOf)) out.oneOf = (schema.oneOf as Schema[]).map((branch) => asLoaded(branch, path, marked));
  return out;
}

/** Key paths in a document, list items and record keys written as in asLoaded's paths. */
function keyPaths(data: unknown, path: string, into: Set<string>): Set<string> {
  if (Array.isArray(data)) for (const item of data) keyPaths(item, path, into);
  else if (typeof data === 'object' && data !== null) {
    for (const [key, value] of Object.entries(data)) {
      into.add(`${path}.${key}`).add(`${path}.*`);
      keyPaths(value, `${path}.${key}`, into);
    }
  }
  return into;
}

/** Properties the types promise but `loaded` lacks, and promised ones its fixture did not reach. */
function loadedShapeGaps(schema: object, loaded: unknown): { missing: string[]; unchecked: string[] } {
  const marked: string[] = [];
  const validate = compileSchema(asLoaded(schema as Schema, '', marked));
  const missing = validate(loaded) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  const seen = keyPaths(loaded, '', new Set());
  return { missing, unchecked: marked.filter((path) => !seen.has(path)) };
}

/** Every section and list, with only its required keys: the rest comes from the loader. */
const EVERY_SECTION = `
gateway: { id: gw }
buses:
  - { id: rtu, type: modbus-rtu, port: /dev/ttyUSB0 }
  - { id: rtu-tcp, type: modbus-rtu-over-tcp, host: 10.0.0.2 }
  - { id: tcp, type: modbus-tcp, host: 10.0.0.3 }
devices:
  - { id: smoke, profile: example-smoke-detector, bus: rtu, address: 1, location: { floor: 2 } }
  - { id: breaker, profile: example-smart-leakage-breaker, bus: rtu, address: 2, location: { floor: 2 } }
gpio:
  inputs: [{ id: contact, pin: 17, location: { room: hall } }]
  outputs: [{ name: siren, pin: 18 }]
tags:
  readers: [{ id: reader, protocol: rdm6300, port: /dev/ttyUSB1, location: { room: lift }, deny: {}, allow: {} }]
actions:
  - { name: sound, when: { kinds: [alarm] }, do: [{ output: siren, mode: on }] }
maintenance:
  - { name: test, device: breaker, command: self_test, every: month }
platform:
  url: mqtts://broker.example:8883
  huawei: { deviceId: gw, productId: p }
  alibaba: { productKey: k, deviceName: gw, deviceSecretFile: k.secret }
remote: {}
centres:
  - { id: centre, host: 10.0.0.9, port: 5001, sourceAddress: 1, tls: {} }
demo: { simulators: [{ profile: example-smoke-detector, port: 5020, units: [1] }], contacts: {}, tagReaders: [{ port: 4001 }], monitoringCentre: { port: 5001 } }
`;
const MINIMAL_PROFILE = `
model: m
kind: smoke
points: [{ name: level, area: input, address: 0, type: int16 }]
bitFields: [{ area: input, address: 1, bits: [{ bit: 0, name: alarm, role: alarm }] }]
commands: [{ name: reset, write: { area: coil, address: 0, value: true }, confirm: { point: alarm, equals: false } }]
`;

t.test('a loaded config has every property its type promises (add a section missing here to EVERY_SECTION)', async (t) => {
  const { sourcePath: _, ...config } = parseConfig(EVERY_SECTION, '/etc/hearth/hearth.yaml', { checkFiles: false });
  t.same(loadedShapeGaps(hearthConfigSchema, config), { missing: [], unchecked: [] });
  t.equal(modelTypesMatch, true);
});

t.test('a loaded profile has every property its type promises', async (t) => {
  const { name: _, sourcePath: __, ...profile } = parseProfile(MINIMAL_PROFILE, '/x/minimal.yaml');
  t.same(loadedShapeGaps(modbusProfileSchema, profile), { missing: [], unchecked: [] });
});
