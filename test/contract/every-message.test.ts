import t, { type Test } from 'tap';
import { decodeCompactEvents } from '../../src/uplink/codecs/native-events.js';
import type { EventKind } from '../../src/model/event.js';
import type { Codec, CommandResult, GatewayStatus, PlatformCommand } from '../../src/uplink/codec.js';
import { AlibabaAlinkCodec } from '../../src/uplink/codecs/alibaba-alink.js';
import { HuaweiIotdaCodec } from '../../src/uplink/codecs/huawei-iotda.js';
import { NativeCodec } from '../../src/uplink/codecs/native.js';
import { COMPACT_EVENT_DICTIONARY, COMPACT_EVENT_DICTIONARY_ID, encodeCompactEvents } from '../../src/uplink/codecs/native-events.js';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { ThingsBoardCodec } from '../../src/uplink/codecs/thingsboard.js';
import { fault, fireAlarm, reading } from '../outbox/fixtures.js';
import { secretFile } from '../codecs/harness.js';
import { CONTRACTS, contractCodec, publishedSchemaNames, violations, type ContractLog } from './contract.js';
import { repoPath } from '../helpers/repo.js';

/**
 * Every kind of message every codec can emit, through the contract: status (online with outbox
 * and config version, offline), will, status history, telemetry, every event kind (a field
 * device's and the gateway's own), sub-device announcements and offline notices, and the answers
 * to each kind of command (done and refused). Codec tests over Mosquitto check the same contract
 * on what they emit; this one makes sure nothing a codec can say is left out.
 */
const NOW = Date.UTC(2026, 4, 6, 7, 15, 0);
const KINDS: EventKind[] = ['alarm', 'fault', 'restore', 'offline', 'online', 'tag_arrived', 'tag_left', 'tamper', 'test', 'dropped'];
const DEVICES = Array.from({ length: 60 }, (_, i) => ({ id: `dev-${i + 1}`, kind: 'acme-sd100' }));
const ONLINE: GatewayStatus = { state: 'online', ts: NOW, synced: true, configVersion: 'c0ffee12', outbox: { fire: 0, events: 2, telemetry: 40, oldestUnsentAgeMs: 1500 } };
const OFFLINE: GatewayStatus = { state: 'offline', ts: NOW, synced: false, configVersion: 'c0ffee12', outbox: { fire: 0, events: 0, telemetry: 0, oldestUnsentAgeMs: null } };
const DONE: CommandResult = { ok: true, code: 'ok', data: { value: 1 } };
const REFUSED: CommandResult = { ok: false, code: 'unsigned', message: 'runs only when signed' };

function exercise(codec: Codec, commands: { topic: string; body: unknown }[]): void {
  codec.encodeStatus(ONLINE);
  codec.encodeStatus(OFFLINE);
  codec.encodeStatus({ state: 'online', ts: NOW, synced: true });
  codec.willMessage?.();
  codec.statusHistory?.(ONLINE);
  codec.statusHistory?.(OFFLINE);
  codec.onlineMessages?.();
  codec.offlineMessages?.();
  codec.encodeTelemetry(DEVICES.slice(0, 3).flatMap((d, i) => [reading(i * 2 + 1, { deviceId: d.id }), reading(i * 2 + 2, { deviceId: d.id, point: 'fault', value: false, unit: undefined })]));
  KINDS.forEach((kind, i) => {
    codec.encodeEvent(fireAlarm(100 + i, { kind, deviceId: 'dev-2', threshold: 0.15, unit: 'dB/m', value: 0.3, ...(kind === 'restore' ? { restores: 'ev-1' } : {}) }));
  });
  codec.encodeEvent(fault(200, { deviceId: 'gw-test', point: 'storage' }));
  // A walk-test alarm and its restore: flagged as a test upstream.
  codec.encodeEvent(fireAlarm(210, { deviceId: 'dev-2', test: true }));
  codec.encodeEvent(fireAlarm(211, { kind: 'restore', deviceId: 'dev-2', restores: 'ev-210', value: false, test: true }));
  for (const c of commands) {
    const cmd = codec.decodeCommand?.(c.topic, Buffer.from(JSON.stringify(c.body))) as PlatformCommand;
    codec.encodeCommandResult?.(cmd, DONE);
    codec.encodeCommandResult?.(cmd, REFUSED);
  }
}

function checked<C extends Codec>(t: Test, codec: C, commands: { topic: string; body: unknown }[]): ContractLog {
  const { codec: wrapped, log } = contractCodec(codec);
  exercise(wrapped, commands);
  t.same(log.problems, [], `${log.codec}: every message keeps its published contract`);
  t.ok(log.emitted.length > 0);
  return log;
}

const logs: ContractLog[] = [];
/** The preset dictionary's id as docs/uplink-native.md states it (read from the doc itself). */
const DOCUMENTED_DICTID = /DICTID `([0-9a-f]{8})`/.exec(readFileSync(repoPath('docs/uplink-native.md'), 'utf8'))?.[1];

t.test('native', async (t) => {
  logs.push(checked(t, new NativeCodec({ gatewayId: 'gw-test', topicPrefix: 'hearth/v1', version: '1.0.0', now: () => NOW }), []));
});

t.test('native, compact layouts (the config default: compact events, columns-deflate telemetry)', async (t) => {
  const codec = new NativeCodec({ gatewayId: 'gw-test', topicPrefix: 'hearth/v1', version: '1.0.0', now: () => NOW, eventFormat: 'compact', telemetryFormat: 'columns-deflate' });
  const log = checked(t, codec, []);
  // What else a compact event may carry: a UUID id, an unsynchronized or corrected clock, a sparse location.
  const { codec: wrapped, log: more } = contractCodec(codec);
  const uuid = '3f2b8c1e-9d4a-4e6b-8a2f-5c7d9e0b1a23';
  wrapped.encodeEvent(fireAlarm(300, { id: uuid, synced: false, mono: 4200.4, location: { room: 'boiler room', note: 'above the door' } }));
  wrapped.encodeEvent({ ...fireAlarm(301, { kind: 'restore', restores: uuid, value: false, location: {} }), tsUnsynced: NOW - 5000 } as Parameters<Codec['encodeEvent']>[0]);
  wrapped.encodeEvent(fault(302, { location: {} }));
  t.same(more.problems, [], 'every variant keeps native-events.schema.json');
  t.ok(more.schemasUsed.has('native-events'));
  logs.push(log, more);
});

t.test('ThingsBoard', async (t) => {
  const codec = new ThingsBoardCodec({ gatewayId: 'gw-test', version: '1.0.0', devices: DEVICES, deviceNamePrefix: 'site.', now: () => NOW });
  logs.push(
    checked(t, codec, [
      { topic: 'v1/gateway/rpc', body: { device: 'site.dev-1', data: { id: 7, method: 'read_device', params: {} } } },
      { topic: 'v1/devices/me/rpc/request/9', body: { method: 'commissioning_report', params: {} } },
    ]),
  );
});

t.test('Huawei IoTDA', async (t) => {
  const codec = new HuaweiIotdaCodec({ deviceId: 'prod_gw', productId: 'prod', serviceId: 'hearth', devices: Array.from({ length: 150 }, (_, i) => ({ id: `dev-${i + 1}` })), gatewayId: 'gw-test', version: '1.0.0', now: () => NOW });
  logs.push(checked(t, codec, [{ topic: '$oc/devices/prod_gw/sys/commands/request_id=r-1', body: { object_device_id: 'prod_dev-1', command_name: 'read_device', paras: {} } }]));
});

t.test('Alibaba Alink', async (t) => {
  const secret = secretFile(t, 'sub-secret');
  const subDevices = Object.fromEntries(DEVICES.map((d) => [d.id, { productKey: 'subPK', deviceName: d.id, deviceSecretFile: secret }]));
  const codec = new AlibabaAlinkCodec({ productKey: 'gwPK', deviceName: 'gw01', deviceSecretFile: secret, tls: true, devices: DEVICES, subDevices, gatewayId: 'gw-test', version: '1.0.0', now: () => NOW });
  logs.push(
    checked(t, codec, [
      { topic: '/sys/subPK/dev-3/thing/service/read_device', body: { id: '12', version: '1.0', params: {}, method: 'thing.service.read_device' } },
      { topic: '/ext/rrpc/1234567/sys/gwPK/gw01/thing/service/commissioning_report', body: { id: '13', version: '1.0', params: {}, method: 'thing.service.commissioning_report' } },
    ]),
  );
});

t.test('a walk-test alarm carries its test flag in every codec', async (t) => {
  const alarm = fireAlarm(400, { deviceId: 'dev-2', test: true });
  const compact = new NativeCodec({ gatewayId: 'gw-test', topicPrefix: 'hearth/v1', version: '1.0.0', now: () => NOW, eventFormat: 'compact' });
  t.equal(decodeCompactEvents(compact.encodeEvent(alarm).payload as Buffer)[0]!.test, true, 'native compact: more.test');
  t.equal(decodeCompactEvents(compact.encodeEvent(fireAlarm(401, { deviceId: 'dev-2' })).payload as Buffer)[0]!.test, undefined, 'and only there');
  const json = new NativeCodec({ gatewayId: 'gw-test', topicPrefix: 'hearth/v1', version: '1.0.0', now: () => NOW, eventFormat: 'json' });
  t.equal(JSON.parse(json.encodeEvent(alarm).payload.toString()).test, true, 'native json: test');
  const tb = new ThingsBoardCodec({ gatewayId: 'gw-test', version: '1.0.0', devices: DEVICES, deviceNamePrefix: 'site.', now: () => NOW });
  t.match(tb.encodeEvent(alarm).payload.toString(), /"event_test":true/, 'ThingsBoard: event_test');
});

t.test('every published schema compiles and is some codec topic’s contract; every contract names a published schema', async (t) => {
  const published = publishedSchemaNames().filter((n) => n !== 'ack');
  const named = [...new Set(CONTRACTS.map((c) => c.schema))].sort();
  t.same(named, published, 'docs/schema/ (platform → gateway ack aside) and the contract table list the same schemas');
  const used = new Set(logs.flatMap((l) => [...l.schemasUsed]));
  t.same(named.filter((n) => !used.has(n)), [], 'every schema was exercised by some emitted message above');
});

t.test('the compact events dictionary published in docs/schema/ is the one the codec deflates against', async (t) => {
  const published = readFileSync(repoPath('docs/schema/native-events.dictionary'));
  t.ok(published.equals(COMPACT_EVENT_DICTIONARY), 'same bytes');
  // The zlib header of every compact payload names it by its Adler-32 (RFC 1950 DICTID).
  const payload = encodeCompactEvents([fireAlarm(1)]);
  t.equal(payload.readUInt32BE(2), COMPACT_EVENT_DICTIONARY_ID);
  t.equal(COMPACT_EVENT_DICTIONARY_ID.toString(16).padStart(8, '0'), DOCUMENTED_DICTID, 'the DICTID docs/uplink-native.md states');
  // The documented example keeps the schema too.
  const doc = readFileSync(repoPath('docs/uplink-native.md'), 'utf8');
  const example = /Inflated, it is a JSON array[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
  t.ok(example, 'the doc has the example');
  const payload2 = deflateSync(JSON.stringify(JSON.parse(example!)), { dictionary: COMPACT_EVENT_DICTIONARY });
  t.same(violations('native', { topic: 'hearth/v1/gw-0042/ev', payload: payload2, qos: 1, retain: false }), [], 'the documented example keeps native-events.schema.json');
});

t.test('a topic no schema covers, a retained message where the platform keeps none, a payload off its schema: all reported', async (t) => {
  t.match(violations('thingsboard', { topic: 'v1/gateway/claim', payload: '{}', qos: 1, retain: false }), [/no schema in docs\/schema\/ covers topic v1\/gateway\/claim/]);
  t.match(violations('huawei-iotda', { topic: '$oc/devices/g/sys/properties/report', payload: '{"services":[]}', qos: 1, retain: true }), [
    /retained, and IoTDA keeps no retained messages/,
    /fails docs\/schema\/huawei-iotda\/properties-report/,
  ]);
  t.match(violations('native', { topic: 'hearth/v1/gw/status', payload: '{"v":1}', qos: 1, retain: true }), [/fails docs\/schema\/status/]);
  const compact = (rows: unknown): Buffer => deflateSync(JSON.stringify(rows), { dictionary: COMPACT_EVENT_DICTIONARY });
  t.match(violations('native', { topic: 'hearth/v1/gw/ev', payload: compact([['~ev-1', 'alarm', 'hot', 'dev-1', NOW, 1]]), qos: 1, retain: false }), [/fails docs\/schema\/native-events/], 'an unknown severity');
  t.match(violations('native', { topic: 'hearth/v1/gw/ev', payload: compact([['~ev-1', 'alarm', 'fire', 'dev-1', NOW]]), qos: 1, retain: false }), [/fails docs\/schema\/native-events/], 'no seq');
  t.same(violations('native', { topic: 'hearth/v1/gw/ev', payload: compact([['~ev-1', 'alarm', 'fire', 'dev-1', NOW, 1, 'smoke', true, null, null, ['A']]]), qos: 1, retain: false }), []);
});
