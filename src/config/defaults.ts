import { isAbsolute, join, resolve } from 'node:path';
import { applyPlatformDefaults, resolvePlatformSecretPaths } from './platform-checks.js';

type Obj = Record<string, unknown>;
type JsonSchema = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fill in the schema's `default`s, in place, on data that already passed validation. Driven by the
 * schema so each default is written once (and shown in editors); follows `properties`,
 * `additionalProperties`, `items` and discriminated `oneOf` (the bus `type` picks the branch,
 * which is how RTU and TCP buses get different timeouts).
 */
export function applySchemaDefaults(schemaObject: object, data: unknown): void {
  const schema = schemaObject as JsonSchema;
  if (Array.isArray(data)) {
    const items = schema.items as JsonSchema | undefined;
    if (items) for (const item of data) applySchemaDefaults(items, item);
    return;
  }
  if (!isObj(data)) return;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, sub] of Object.entries(properties)) {
    if (data[key] === undefined && 'default' in sub) data[key] = structuredClone(sub.default);
    if (data[key] !== undefined) applySchemaDefaults(sub, data[key]);
  }
  const extra = schema.additionalProperties;
  if (isObj(extra)) {
    for (const key of Object.keys(data)) if (!(key in properties)) applySchemaDefaults(extra, data[key]);
  }
  const discriminator = schema.discriminator as { propertyName: string } | undefined;
  if (discriminator && Array.isArray(schema.oneOf)) {
    const tag = discriminator.propertyName;
    const branch = (schema.oneOf as JsonSchema[]).find((b) => (b.properties as Record<string, JsonSchema>)[tag]?.const === data[tag]);
    if (branch) applySchemaDefaults(branch, data);
  }
}

/** All defaults, in order, on validated data: schema defaults, then the derived ones. */
export function applyDefaults(schema: object, raw: Obj, configDir: string): void {
  // No platform section: the demo's in-process broker. Created first so its schema defaults apply.
  raw.platform ??= { kind: 'embedded' };
  applySchemaDefaults(schema, raw);
  applyDerivedDefaults(raw, configDir);
}

/**
 * Defaults that depend on other values, and relative paths made absolute against the config
 * file's folder (the daemon's working directory under systemd is `/`, not the config's folder).
 */
export function applyDerivedDefaults(raw: Obj, configDir: string): void {
  const gateway = raw.gateway as Obj;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(configDir, p));

  gateway.stateDir = abs(gateway.stateDir as string);
  normalizeLocation(gateway.location as Obj);

  const outbox = raw.outbox as Obj;
  outbox.path = outbox.path === undefined ? join(gateway.stateDir as string, 'outbox.db') : abs(outbox.path as string);

  const demo = raw.demo as Obj | undefined;
  const platform = raw.platform as Obj;
  if (platform.kind === 'embedded' && platform.url === undefined) {
    platform.url = `mqtt://127.0.0.1:${String((demo?.brokerPort as number | undefined) ?? 1883)}`;
  }
  platform.clientId ??= `hearth-${String(gateway.id)}`;
  const tls = (platform.tls ??= {}) as Obj;
  for (const key of ['ca', 'cert', 'key'] as const) if (typeof tls[key] === 'string') tls[key] = abs(tls[key]);
  if (typeof platform.passwordFile === 'string') platform.passwordFile = abs(platform.passwordFile);
  resolvePlatformSecretPaths(platform, abs);
  applyPlatformDefaults(platform);
  // Readings wait for the platform's telemetry interval anyway: held in memory for that long and
  // a margin, they need not be written at all while the uplink keeps up (docs/outbox.md).
  outbox.writeBehindMs ??= Math.min(3_600_000, Number(platform.telemetryIntervalMs ?? 0) + 5000);
  for (const centre of (raw.centres ?? []) as Obj[]) {
    const centreTls = centre.tls as Obj | undefined;
    for (const key of ['ca', 'cert', 'key'] as const) if (centreTls && typeof centreTls[key] === 'string') centreTls[key] = abs(centreTls[key]);
  }
  const apiTls = (raw.api as Obj | undefined)?.tls as Obj | undefined;
  for (const key of ['cert', 'key'] as const) if (apiTls && typeof apiTls[key] === 'string') apiTls[key] = abs(apiTls[key]);

  raw.profilePaths = (raw.profilePaths as string[]).map(abs);
  for (const device of raw.devices as Obj[]) {
    normalizeLocation(device.location as Obj);
    if (isProfilePath(device.profile as string)) device.profile = abs(device.profile as string);
  }
  // GPIO inputs and tag readers are devices in events too.
  const ioDevices = [...(((raw.gpio as Obj | undefined)?.inputs ?? []) as Obj[]), ...(((raw.tags as Obj | undefined)?.readers ?? []) as Obj[])];
  for (const io of ioDevices) normalizeLocation(io.location as Obj);
  for (const sim of (demo?.simulators ?? []) as Obj[]) {
    if (isProfilePath(sim.profile as string)) sim.profile = abs(sim.profile as string);
  }
}

/** A profile reference is a path (rather than a name) if it has a folder part or a YAML extension. */
export function isProfilePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.ya?ml$/i.test(ref);
}

/** YAML reads `floor: 2` as a number; locations are text everywhere downstream. */
function normalizeLocation(location: Obj | undefined): void {
  if (location && typeof location.floor === 'number') location.floor = String(location.floor);
}
