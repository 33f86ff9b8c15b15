import { Type } from '@sinclair/typebox';
import { flag, integer, object, oneOfStrings, text } from './common.js';
import { Defaulted, DerivedDefault } from './defaulted.js';
import { routeSchema } from './centres.js';
import { alibabaSchema, codecSchema, huaweiSchema, thingsboardSchema } from './platform-codecs.js';

export const tlsSchema = object("TLS settings for mqtts:// and wss://. Relative paths resolve against the config file's folder.", {
  ca: Type.Optional(text("CA bundle (PEM) to verify the platform's certificate. Default: the system store.")),
  cert: Type.Optional(text('Client certificate (PEM) for mutual TLS; needs key.')),
  key: Type.Optional(text('Client private key (PEM) for mutual TLS; needs cert.')),
  servername: Type.Optional(text("Server name to verify, if different from the URL's host.")),
});

/**
 * Without a platform section the gateway uses the embedded broker (the demo). With one, `url` is
 * required unless kind is `embedded`; the embedded broker's url and the client id are filled in by
 * ../defaults.ts.
 */
export const platformSchema = object(
  'The platform the gateway forwards readings and events to, over MQTT.',
  {
    kind: Defaulted(oneOfStrings('mqtt = a real broker (default); embedded = the in-process demo broker.', ['mqtt', 'embedded']), 'mqtt'),
    url: DerivedDefault(
      text('Broker URL: mqtts://host:8883 (TLS), wss://host/path, or mqtt:// / ws:// (plain text: only to localhost, or with allowInsecure).'),
    ),
    clientId: DerivedDefault(text('MQTT client id. Default hearth-<gateway id>.')),
    username: Type.Optional(text('MQTT user name.')),
    password: Type.Optional(text('MQTT password. Prefer passwordFile, which keeps the secret out of this file.')),
    passwordFile: Type.Optional(text('File holding the MQTT password (trailing newline ignored).')),
    tls: Defaulted(tlsSchema, {}),
    allowInsecure: Defaulted(flag('Allow plain-text mqtt:// or ws:// to a host other than localhost. Default false.'), false),
    topicPrefix: Defaulted(Type.String({ minLength: 1, pattern: '^[^#+/]+(/[^#+/]+)*$', description: 'Topic root. Default hearth/v1.' }), 'hearth/v1'),
    codec: codecSchema,
    unsignedReceipts: Defaulted(
      flag(
        "Native codec: accept receipts on the ack topic without a signature. Only where the broker lets nobody but the platform publish there (per-topic ACLs): a receipt clears the 'not confirmed by the receiving centre' fault. Default false: receipts must be signed with a key in remote.keys (docs/uplink-native.md).",
      ),
      false,
    ),
    thingsboard: Type.Optional(thingsboardSchema),
    huawei: Type.Optional(huaweiSchema),
    alibaba: Type.Optional(alibabaSchema),
    mqttVersion: DerivedDefault(
      oneOfStrings(
        "MQTT protocol version. Default: the platform's own (5 for native, ThingsBoard and IoTDA, so the broker can refuse a publish in its PUBACK; 3.1.1 for alibaba-alink, where MQTT 5 needs an Enterprise instance and a device once connected over 5 can never use 3.1.1 again). The embedded demo broker always uses 3.1.1.",
        ['5', '3.1.1'],
      ),
    ),
    keepaliveS: Defaulted(integer('MQTT keepalive in seconds. Default 30. IoTDA and Alibaba Cloud IoT accept only 30-1200 (checked).', 5, 3600), 30),
    maxMessagesPerSec: Type.Optional(
      integer(
        "Upstream messages a second on the connection, all kinds together (status, announcements, events, telemetry, replies). Default: the platform's documented limit (IoTDA 50), else unlimited. Events go first within it; telemetry leaves a tenth of it free for them.",
        1,
        100_000,
      ),
    ),
    reconnectMinMs: Defaulted(integer('Reconnect backoff lower bound (ms; exponential with full jitter). Default 1000.', 100, 3_600_000), 1000),
    reconnectMaxMs: Defaulted(integer('Reconnect backoff upper bound (ms). Default 60000.', 100, 3_600_000), 60_000),
    inflightWindow: Defaulted(integer('QoS 1 publishes in flight at once. Default 32.', 1, 1000), 32),
    batchMaxReadings: Defaulted(integer('Readings per telemetry message. Default 500.', 1, 100_000), 500),
    batchMaxBytes: Defaulted(integer('Bytes per telemetry message. Default 262144.', 1024, 268_435_455), 262_144),
    heartbeatMs: Defaulted(
      integer(
        'Gateway status heartbeat period in ms. Default 300000 (5 min): online/offline is the retained status and the last will, the heartbeat only refreshes the outbox figures, and on a metered link every message costs.',
        1000,
        86_400_000,
      ),
      300_000,
    ),
    telemetryFormat: Defaulted(
      oneOfStrings(
        'Native codec: layout of telemetry batches (docs/uplink-native.md). columns-deflate (default): per device and point, arrays of times, values and sequence numbers, zlib-compressed, on <prefix>/<gw>/telemetry/columns-deflate; columns: the same JSON uncompressed, on telemetry/columns; readings: one JSON object per reading on telemetry, the original format, for platform integrations written against it.',
        ['columns-deflate', 'columns', 'readings'],
      ),
      'columns-deflate',
    ),
    eventFormat: Defaulted(
      oneOfStrings(
        'Native codec: layout of events (docs/uplink-native.md). compact (default): positional JSON arrays, zlib-compressed against a fixed preset dictionary, on <prefix>/<gw>/ev (about a third of the bytes); json: one readable JSON object per event on events/<kind>, the original format, for platform integrations written against it. Either way every event goes out as soon as it is stored.',
        ['compact', 'json'],
      ),
      'compact',
    ),
    telemetryIntervalMs: Defaulted(
      integer(
        'Telemetry goes out at most this often (ms), unless a full batch waits; readings wait in the outbox meanwhile. Events (alarms, faults, restores) are never held. Default 60000; 0 sends every reading as soon as it is stored.',
        0,
        86_400_000,
      ),
      60_000,
    ),
    route: Type.Optional(routeSchema('Default: every event and every reading.')),
  },
  {
    if: { properties: { kind: { const: 'embedded' } }, required: ['kind'] },
    then: {},
    else: { required: ['url'] },
  },
);
