import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import { PLATFORM_RULES, type PlatformCodecName } from '../../src/config/sections/platform-rules.js';
import type { Codec, OutboundMessage } from '../../src/uplink/codec.js';
import { repoPath } from '../helpers/repo.js';
import { COMPACT_EVENT_DICTIONARY } from '../../src/uplink/codecs/native-events.js';

/**
 * The published contract of every codec: which JSON Schema in docs/schema/ governs each topic a
 * codec publishes on. Codec tests route every message a codec emits through `contractCodec` (the
 * codec harness does it for every session), so a payload that drifts from its published schema, a
 * topic no schema covers, or a flag the platform refuses (retain, QoS) fails the test that made it.
 */
export const CONTRACTS: readonly { codec: PlatformCodecName; topic: RegExp; schema: string }[] = [
  { codec: 'native', topic: /^[^#+]+\/status$/, schema: 'status' },
  // Every native telemetry layout (readings, columns, columns-deflate) is described by telemetry.schema.json.
  { codec: 'native', topic: /^[^#+]+\/telemetry(\/columns(-deflate)?)?$/, schema: 'telemetry' },
  { codec: 'native', topic: /^[^#+]+\/events\/[a-z_]+$/, schema: 'event' },
  // Compact events (platform.eventFormat compact, the default): zlib against the preset dictionary.
  { codec: 'native', topic: /^[^#+]+\/ev$/, schema: 'native-events' },
  { codec: 'thingsboard', topic: /^v1\/gateway\/connect$/, schema: 'thingsboard/connect' },
  { codec: 'thingsboard', topic: /^v1\/gateway\/disconnect$/, schema: 'thingsboard/disconnect' },
  { codec: 'thingsboard', topic: /^v1\/gateway\/telemetry$/, schema: 'thingsboard/gateway-telemetry' },
  { codec: 'thingsboard', topic: /^v1\/gateway\/rpc$/, schema: 'thingsboard/gateway-rpc-reply' },
  { codec: 'thingsboard', topic: /^v1\/devices\/me\/telemetry$/, schema: 'thingsboard/device-telemetry' },
  { codec: 'thingsboard', topic: /^v1\/devices\/me\/attributes$/, schema: 'thingsboard/attributes' },
  { codec: 'thingsboard', topic: /^v1\/devices\/me\/rpc\/response\/[^/]+$/, schema: 'thingsboard/rpc-response' },
  { codec: 'huawei-iotda', topic: /^\$oc\/devices\/[^/]+\/sys\/properties\/report$/, schema: 'huawei-iotda/properties-report' },
  { codec: 'huawei-iotda', topic: /^\$oc\/devices\/[^/]+\/sys\/gateway\/sub_devices\/properties\/report$/, schema: 'huawei-iotda/sub-devices-properties-report' },
  { codec: 'huawei-iotda', topic: /^\$oc\/devices\/[^/]+\/sys\/messages\/up$/, schema: 'huawei-iotda/messages-up' },
  { codec: 'huawei-iotda', topic: /^\$oc\/devices\/[^/]+\/sys\/events\/up$/, schema: 'huawei-iotda/events-up' },
  { codec: 'huawei-iotda', topic: /^\$oc\/devices\/[^/]+\/sys\/commands\/response\/request_id=[^/]+$/, schema: 'huawei-iotda/command-response' },
  { codec: 'alibaba-alink', topic: /^\/sys\/[^/]+\/[^/]+\/thing\/event\/property\/post$/, schema: 'alibaba-alink/property-post' },
  { codec: 'alibaba-alink', topic: /^\/sys\/[^/]+\/[^/]+\/thing\/event\/property\/pack\/post$/, schema: 'alibaba-alink/pack-post' },
  { codec: 'alibaba-alink', topic: /^\/sys\/[^/]+\/[^/]+\/thing\/event\/(?!property\/)[a-z_]+\/post$/, schema: 'alibaba-alink/event-post' },
  { codec: 'alibaba-alink', topic: /^\/sys\/[^/]+\/[^/]+\/thing\/topo\/add$/, schema: 'alibaba-alink/topo-add' },
  { codec: 'alibaba-alink', topic: /^\/ext\/session\/[^/]+\/[^/]+\/combine\/batch_login$/, schema: 'alibaba-alink/batch-login' },
  { codec: 'alibaba-alink', topic: /^\/sys\/[^/]+\/[^/]+\/thing\/service\/[^/]+_reply$/, schema: 'alibaba-alink/service-reply' },
  { codec: 'alibaba-alink', topic: /^\/ext\/rrpc\/[^/]+\/sys\/[^/]+\/[^/]+\/thing\/service\/[^/]+$/, schema: 'alibaba-alink/service-reply' },
];

const SCHEMA_DIR = repoPath('docs/schema') + '/';

/** Every schema file under docs/schema/, by name (path without `.schema.json`). */
export function publishedSchemaNames(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.schema.json')) out.push(relative(SCHEMA_DIR, path).replace(/\.schema\.json$/, ''));
    }
  };
  walk(SCHEMA_DIR);
  return out.sort();
}

const compiled = new Map<string, ValidateFunction>();
function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    // Tuples with optional trailing elements (native-events) are what they are: not "strict tuples".
    const ajv = new Ajv({ allErrors: true, strict: true, strictTuples: false, allowUnionTypes: true });
    v = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as object);
    compiled.set(name, v);
  }
  return v;
}

/** The schema governing a codec's topic; undefined when none covers it (a contract failure). */
export function contractFor(codec: PlatformCodecName, topic: string): string | undefined {
  return CONTRACTS.find((c) => c.codec === codec && c.topic.test(topic))?.schema;
}

/** Every way `m` breaks its codec's published contract; [] when it keeps it. */
export function violations(codec: PlatformCodecName, m: OutboundMessage): string[] {
  const schema = contractFor(codec, m.topic);
  if (schema === undefined) return [`${codec}: no schema in docs/schema/ covers topic ${m.topic}`];
  const out: string[] = [];
  const rules = PLATFORM_RULES[codec];
  if (m.retain && !rules.retain) out.push(`${codec}: ${m.topic} is retained, and ${rules.name} keeps no retained messages`);
  if (m.qos > rules.maxQos) out.push(`${codec}: ${m.topic} at QoS ${m.qos}, ${rules.name} takes at most ${rules.maxQos}`);
  const bytes = typeof m.payload === 'string' ? Buffer.byteLength(m.payload) : m.payload.length;
  if (rules.maxPayloadBytes !== undefined && bytes > rules.maxPayloadBytes) out.push(`${codec}: ${m.topic} is ${bytes} bytes, above ${rules.maxPayloadBytes}`);
  let body: unknown;
  try {
    // A zlib stream (RFC 1950: 0x78 first) is a deflated JSON payload (native columns-deflate), and
    // with FDICT set (0x20 in the second byte) one deflated against the compact events' dictionary.
    const zlib = typeof m.payload !== 'string' && m.payload[0] === 0x78;
    const dictionary = zlib && ((m.payload[1] as number) & 0x20) !== 0 ? { dictionary: COMPACT_EVENT_DICTIONARY } : {};
    const text = zlib ? inflateSync(m.payload, dictionary).toString('utf8') : m.payload.toString();
    body = JSON.parse(text);
  } catch {
    return [...out, `${codec}: ${m.topic}: payload is not JSON`];
  }
  const validate = validator(schema);
  if (!validate(body)) out.push(`${codec}: ${m.topic} fails docs/schema/${schema}.schema.json: ${JSON.stringify(validate.errors)} in ${m.payload.toString().slice(0, 300)}`);
  return out;
}

const EMITTING = new Set<PropertyKey>(['encodeStatus', 'encodeTelemetry', 'encodeEvent', 'encodeEvents', 'willMessage', 'onlineMessages', 'offlineMessages', 'statusHistory', 'encodeCommandResult']);

/** What a codec wrapped by contractCodec emitted, and what of it broke the contract. */
export interface ContractLog {
  codec: PlatformCodecName;
  emitted: OutboundMessage[];
  problems: string[];
  /** Schemas the emitted messages were checked against. */
  schemasUsed: Set<string>;
}

/** The codec's own name for its platform (its rules' name is for people). */
export function codecName(codec: Codec): PlatformCodecName {
  const rules = codec.rules ?? PLATFORM_RULES.native;
  return (Object.keys(PLATFORM_RULES) as PlatformCodecName[]).find((k) => PLATFORM_RULES[k] === rules)!;
}

/** The codec with every emitted message checked against its contract (recorded in `log`, never thrown). */
export function contractCodec<C extends Codec>(codec: C): { codec: C; log: ContractLog } {
  const log: ContractLog = { codec: codecName(codec), emitted: [], problems: [], schemasUsed: new Set() };
  const record = (m: OutboundMessage): void => {
    log.emitted.push(m);
    try {
      log.problems.push(...violations(log.codec, m));
    } catch (err) {
      // A schema that does not compile is a broken contract too, but must not look like an encode failure.
      log.problems.push(`${log.codec}: ${m.topic}: ${(err as Error).message}`);
    }
    const schema = contractFor(log.codec, m.topic);
    if (schema !== undefined) log.schemasUsed.add(schema);
  };
  const wrapped = new Proxy(codec, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !EMITTING.has(prop)) return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => OutboundMessage | OutboundMessage[] | undefined).apply(target, args);
        for (const m of out === undefined ? [] : Array.isArray(out) ? out : [out]) record(m);
        return out;
      };
    },
  });
  return { codec: wrapped, log };
}
