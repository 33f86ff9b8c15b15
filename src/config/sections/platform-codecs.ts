import { integer, object, oneOfStrings, text, type JsonSchema } from './common.js';

/** Per-platform settings under `platform:`, used when `platform.codec` names that platform. */

export const PLATFORM_CODECS = ['native', 'thingsboard', 'huawei-iotda', 'alibaba-alink'] as const;

export const codecSchema: JsonSchema = oneOfStrings(
  "Payload format and topics: native (hearth's own), thingsboard (ThingsBoard gateway API), huawei-iotda (Huawei Cloud IoTDA gateway), alibaba-alink (Alibaba Cloud IoT Alink). See docs/platforms.md.",
  PLATFORM_CODECS,
  'native',
);

export const thingsboardSchema: JsonSchema = object('ThingsBoard gateway settings (codec thingsboard).', {
  accessTokenFile: text("File holding the gateway device's access token (sent as the MQTT user name). Without it, authenticate with an X.509 client certificate (platform.tls.cert/key)."),
  deviceNamePrefix: text('Prefix for device names in ThingsBoard (names are unique per tenant), e.g. "haus-b.".'),
});

export const huaweiSchema: JsonSchema = object(
  'Huawei Cloud IoTDA gateway settings (codec huawei-iotda).',
  {
    deviceId: text('The gateway\'s IoTDA device id, usually <product_id>_<node_id>.'),
    secretFile: text('File holding the gateway\'s device secret (secret authentication). Without it, authenticate with an X.509 client certificate.'),
    productId: text('IoTDA product the field devices are added under; their device id is <productId>_<hearth device id>.'),
    serviceId: text('Service id in the product model that holds the points. Default hearth.', 'hearth'),
    subDevices: {
      type: 'object',
      description: 'IoTDA device ids for hearth devices registered with other ids (hearth device id -> IoTDA device id).',
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 128 },
    },
  },
  ['deviceId', 'productId'],
);

const alinkIdentity = (description: string): JsonSchema =>
  object(
    description,
    {
      productKey: text('ProductKey.'),
      deviceName: text('DeviceName.'),
      deviceSecretFile: text('File holding the DeviceSecret.'),
    },
    ['productKey', 'deviceName', 'deviceSecretFile'],
  );

export const alibabaSchema: JsonSchema = object(
  'Alibaba Cloud IoT (Alink) gateway settings (codec alibaba-alink).',
  {
    productKey: text("The gateway's ProductKey."),
    deviceName: text("The gateway's DeviceName."),
    deviceSecretFile: text("File holding the gateway's DeviceSecret."),
    clientId: text('Client id inside the signed MQTT client id. Default <productKey>.<deviceName>.'),
    subDevices: {
      type: 'object',
      description: 'Alibaba identity of each field device (hearth device id -> productKey, deviceName, deviceSecretFile). Every enabled device needs one.',
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      additionalProperties: alinkIdentity('Sub-device identity.'),
      default: {},
    },
  },
  ['productKey', 'deviceName', 'deviceSecretFile'],
);

/** `remote:` section: remote configuration and commands over the platform's command channel. */
export const remoteSchema: JsonSchema = object(
  'Remote management over the platform connection (docs/remote-management.md). Off unless enabled.',
  {
    enabled: { type: 'boolean', description: 'Accept commands from the platform. Default false.', default: false },
    allow: {
      type: 'array',
      description: 'Commands the platform may run. Default: read_device, ack_alarm, silence_alarm, test_output, set_threshold, commissioning_report. apply_config and restart must be listed explicitly.',
      items: oneOfStrings('A command name.', ['read_device', 'ack_alarm', 'silence_alarm', 'test_output', 'set_threshold', 'commissioning_report', 'restart', 'apply_config']),
      uniqueItems: true,
      default: ['read_device', 'ack_alarm', 'silence_alarm', 'test_output', 'set_threshold', 'commissioning_report'],
    },
    replayWindowMs: integer('A command must carry params.ts within this many ms of the gateway clock; its id is remembered this long. Default 300000.', 10_000, 86_400_000, 300_000),
    rollbackAfterMs: integer('A remotely applied config is rolled back unless the platform is reached again within this many ms. Default 300000.', 10_000, 86_400_000, 300_000),
  },
);

