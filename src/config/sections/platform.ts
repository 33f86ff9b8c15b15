import { flag, integer, object, oneOfStrings, text, type JsonSchema } from './common.js';
import { alibabaSchema, codecSchema, huaweiSchema, thingsboardSchema } from './platform-codecs.js';

const tlsSchema = object(
  'TLS settings for mqtts:// and wss://. Relative paths resolve against the config file\'s folder.',
  {
    ca: text('CA bundle (PEM) to verify the platform\'s certificate. Default: the system store.'),
    cert: text('Client certificate (PEM) for mutual TLS; needs key.'),
    key: text('Client private key (PEM) for mutual TLS; needs cert.'),
    servername: text('Server name to verify, if different from the URL\'s host.'),
  },
  [],
  { default: {} },
);

/**
 * Without a platform section the gateway uses the embedded broker (the demo). With one, `url` is
 * required unless kind is `embedded`.
 */
export const platformSchema: JsonSchema = object(
  'The platform the gateway forwards readings and events to, over MQTT.',
  {
    kind: oneOfStrings('mqtt = a real broker (default); embedded = the in-process demo broker.', ['mqtt', 'embedded'], 'mqtt'),
    url: text('Broker URL: mqtts://host:8883 (TLS), wss://host/path, or mqtt:// / ws:// (plain text: only to localhost, or with allowInsecure).'),
    clientId: text('MQTT client id. Default hearth-<gateway id>.'),
    username: text('MQTT user name.'),
    password: text('MQTT password. Prefer passwordFile, which keeps the secret out of this file.'),
    passwordFile: text('File holding the MQTT password (trailing newline ignored).'),
    tls: tlsSchema,
    allowInsecure: flag('Allow plain-text mqtt:// or ws:// to a host other than localhost. Default false.', false),
    topicPrefix: {
      type: 'string',
      minLength: 1,
      pattern: '^[^#+/]+(/[^#+/]+)*$',
      default: 'hearth/v1',
      description: 'Topic root. Default hearth/v1.',
    },
    codec: codecSchema,
    thingsboard: thingsboardSchema,
    huawei: huaweiSchema,
    alibaba: alibabaSchema,
    mqttVersion: oneOfStrings(
      'MQTT protocol version. 5 (default) lets the broker refuse a publish in its PUBACK; 3.1.1 for brokers without MQTT 5. The embedded demo broker always uses 3.1.1.',
      ['5', '3.1.1'],
      '5',
    ),
    keepaliveS: integer('MQTT keepalive in seconds. Default 30.', 5, 3600, 30),
    reconnectMinMs: integer('Reconnect backoff lower bound (ms; exponential with full jitter). Default 1000.', 100, 3_600_000, 1000),
    reconnectMaxMs: integer('Reconnect backoff upper bound (ms). Default 60000.', 100, 3_600_000, 60_000),
    inflightWindow: integer('QoS 1 publishes in flight at once. Default 32.', 1, 1000, 32),
    batchMaxReadings: integer('Readings per telemetry message. Default 500.', 1, 100_000, 500),
    batchMaxBytes: integer('Bytes per telemetry message. Default 262144.', 1024, 268_435_455, 262_144),
    heartbeatMs: integer('Gateway status heartbeat period in ms. Default 60000.', 1000, 86_400_000, 60_000),
  },
  [],
  {
    if: { properties: { kind: { const: 'embedded' } }, required: ['kind'] },
    then: {},
    else: { required: ['url'] },
  },
);
