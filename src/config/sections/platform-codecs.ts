import { Type } from '@sinclair/typebox';
import { ID_PATTERN, integer, object, oneOfStrings, record, text } from './common.js';
import { Defaulted } from './defaulted.js';

/** Per-platform settings under `platform:`, used when `platform.codec` names that platform. */

export const PLATFORM_CODECS = ['native', 'thingsboard', 'huawei-iotda', 'alibaba-alink'] as const;

export const codecSchema = Defaulted(
  oneOfStrings(
    "Payload format and topics: native (hearth's own), thingsboard (ThingsBoard gateway API), huawei-iotda (Huawei Cloud IoTDA gateway), alibaba-alink (Alibaba Cloud IoT Alink). See docs/platforms.md.",
    PLATFORM_CODECS,
  ),
  'native',
);

export const thingsboardSchema = object('ThingsBoard gateway settings (codec thingsboard).', {
  accessTokenFile: Type.Optional(
    text("File holding the gateway device's access token (sent as the MQTT user name). Without it, authenticate with an X.509 client certificate (platform.tls.cert/key)."),
  ),
  deviceNamePrefix: Type.Optional(text('Prefix for device names in ThingsBoard (names are unique per tenant), e.g. "haus-b.".')),
});

export const huaweiSchema = object('Huawei Cloud IoTDA gateway settings (codec huawei-iotda).', {
  deviceId: text("The gateway's IoTDA device id, usually <product_id>_<node_id>."),
  secretFile: Type.Optional(
    text("File holding the gateway's device secret (secret authentication). Without it, authenticate with an X.509 client certificate."),
  ),
  productId: text('IoTDA product the field devices are added under; their device id is <productId>_<hearth device id>.'),
  serviceId: Defaulted(text('Service id in the product model that holds the points. Default hearth.'), 'hearth'),
  subDevices: Type.Optional(
    record(
      'IoTDA device ids for hearth devices registered with other ids (hearth device id -> IoTDA device id).',
      ID_PATTERN,
      Type.String({ minLength: 1, maxLength: 128 }),
    ),
  ),
});

const alinkIdentity = (description: string) =>
  object(description, {
    productKey: text('ProductKey.'),
    deviceName: text('DeviceName.'),
    deviceSecretFile: text('File holding the DeviceSecret.'),
  });

export const alibabaSchema = object('Alibaba Cloud IoT (Alink) gateway settings (codec alibaba-alink).', {
  productKey: text("The gateway's ProductKey."),
  deviceName: text("The gateway's DeviceName."),
  deviceSecretFile: text("File holding the gateway's DeviceSecret."),
  clientId: Type.Optional(text('Client id inside the signed MQTT client id. Default <productKey>.<deviceName>.')),
  subDevices: Defaulted(
    record(
      'Alibaba identity of each field device (hearth device id -> productKey, deviceName, deviceSecretFile). Every enabled device needs one.',
      ID_PATTERN,
      alinkIdentity('Sub-device identity.'),
    ),
    {},
  ),
});

const REMOTE_COMMANDS = ['read_device', 'ack_alarm', 'silence_alarm', 'test_output', 'set_threshold', 'device_command', 'commissioning_report', 'restart', 'apply_config', 'update_software'] as const;

/** Commands that change nothing: the only ones `remote.unsigned` may list. */
export const READ_ONLY_COMMANDS = ['read_device', 'commissioning_report'] as const;

/** Sections a signed remote config may change only when the local config delegates them (`remote.delegate`). */
export const DELEGABLE_SECTIONS = ['actions'] as const;

const trustedKeySchema = object('A public key whose signatures the gateway accepts.', {
  id: text('Key id: the `kid` a signed message names. Give each operator or system its own, so one can be withdrawn alone.'),
  publicKey: text('Ed25519 public key: base64 of the 32 raw bytes (`hearth keygen` prints it), base64 SPKI DER, or PEM.'),
});

/** `remote:` section: remote configuration and commands over the platform's command channel. */
export const remoteSchema = object(
  'Remote management over the platform connection (docs/remote-management.md). Off unless enabled. This section itself can never be changed remotely.',
  {
    enabled: Defaulted(Type.Boolean({ description: 'Accept commands from the platform. Default false.' }), false),
    keys: Defaulted(
      Type.Array(trustedKeySchema, {
        description:
          'Ed25519 keys that sign commands, configs and (native codec) receipts. A command or config is run only when signed by one of them; without keys only the read-only commands in `unsigned` run.',
        maxItems: 16,
      }),
      [],
    ),
    allow: Defaulted(
      Type.Array(oneOfStrings('A command name.', REMOTE_COMMANDS), {
        description:
          'Commands the platform may run. Default: read_device, ack_alarm, silence_alarm, test_output, set_threshold, commissioning_report. device_command, apply_config, restart and update_software must be listed explicitly.',
        uniqueItems: true,
      }),
      ['read_device', 'ack_alarm', 'silence_alarm', 'test_output', 'set_threshold', 'commissioning_report'],
    ),
    unsigned: Defaulted(
      Type.Array(oneOfStrings('A read-only command.', READ_ONLY_COMMANDS), {
        description: 'Read-only commands that run without a signature (they must still be in `allow`). Default: none.',
        uniqueItems: true,
      }),
      [],
    ),
    delegate: Defaulted(
      Type.Array(oneOfStrings('A section.', DELEGABLE_SECTIONS), {
        description:
          'Locally owned sections a signed remote config may change. `actions` (the local alarm actions: sounders, relays) only when listed here. gateway, remote and outbox.path can never be changed remotely.',
        uniqueItems: true,
      }),
      [],
    ),
    replayWindowMs: Defaulted(
      integer(
        'A signed command must be stamped (ts) within this many ms of the gateway clock, either way; what was run is remembered this long. Default 120000. Keep the gateway on NTP.',
        10_000,
        600_000,
      ),
      120_000,
    ),
    ratePerMinute: Defaulted(
      integer('Commands accepted per minute from the platform (a burst of up to a tenth of this, at least 5); the rest are refused and counted. Default 60.', 1, 6000),
      60,
    ),
    rollbackAfterMs: Defaulted(
      integer('A remotely applied config is rolled back unless the platform is reached again within this many ms. Default 300000.', 10_000, 86_400_000),
      300_000,
    ),
  },
);
