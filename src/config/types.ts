import type { Location } from '../model/location.js';
import type { ThresholdSpec } from '../model/point.js';
import type { DemoContacts, DemoTagReader, GpioConfig, LocalActionRule, TagsConfig } from './io-types.js';

/**
 * The configuration after loading, validation and defaults. The JSON Schema in ./schema.ts
 * describes the YAML file; this is the typed shape the runtime receives (defaults filled in).
 * Durations are milliseconds and say so in their names.
 */
export interface HearthConfig {
  gateway: GatewayConfig;
  buses: BusConfig[];
  devices: DeviceConfig[];
  /** GPIO dry-contact inputs and local outputs (sirens, relays). */
  gpio?: GpioConfig;
  /** Electronic-tag groups and readers. */
  tags?: TagsConfig;
  /** Local actions: events drive outputs on the gateway, with or without network. */
  actions?: LocalActionRule[];
  outbox: OutboxConfig;
  platform: PlatformConfig;
  api: ApiConfig;
  log: LogConfig;
  /** Extra folders searched for device profiles before the shipped drivers/<kind>/profiles. */
  profilePaths: string[];
  /** Only in demo configs: things the gateway starts in-process to stand in for the field and the platform. */
  demo?: DemoConfig;
  /** Remote management over the platform connection (src/remote/). Absent = disabled. */
  remote?: RemoteConfig;
  /** Absolute path of the file this was loaded from (for relative paths and messages). */
  sourcePath?: string;
}

export type RemoteCommandName = 'read_device' | 'ack_alarm' | 'silence_alarm' | 'test_output' | 'set_threshold' | 'commissioning_report' | 'restart' | 'apply_config';

export interface RemoteConfig {
  enabled: boolean;
  allow: RemoteCommandName[];
  replayWindowMs: number;
  rollbackAfterMs: number;
}

export interface GatewayConfig {
  id: string;
  name?: string;
  location: Location;
  /** State directory (outbox, tokens, latches). Default /var/lib/hearth. */
  stateDir: string;
  /** How clock synchronization is detected: `auto` (systemd-timesyncd flag), `assume-synced`, `never`. */
  clockSync: 'auto' | 'assume-synced' | 'never';
}

export type Parity = 'none' | 'even' | 'odd';

interface BusCommon {
  id: string;
  /** Response timeout per request. */
  timeoutMs: number;
  /** Retries of a failed request before the poll counts as failed. */
  retries: number;
  /** Silence between frames. RTU default: 3.5 characters at the baud rate, at least 1.75 ms. */
  interFrameGapMs?: number;
}

export interface ModbusRtuSerialBusConfig extends BusCommon {
  type: 'modbus-rtu';
  /** Serial device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/... */
  port: string;
  baudRate: number;
  parity: Parity;
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** Modbus RTU frames carried over a TCP socket (the serial device servers many sites use). */
export interface ModbusRtuTcpBusConfig extends BusCommon {
  type: 'modbus-rtu-over-tcp';
  host: string;
  port: number;
  /** Baud rate of the serial side, used only to compute the inter-frame gap. Default 9600. */
  baudRate: number;
}

export interface ModbusTcpBusConfig extends BusCommon {
  type: 'modbus-tcp';
  host: string;
  port: number;
}

export type BusConfig = ModbusRtuSerialBusConfig | ModbusRtuTcpBusConfig | ModbusTcpBusConfig;

export interface OfflinePolicy {
  /** Consecutive polls with no valid answer before an `offline` fault event. Default 3. */
  afterPolls: number;
  /** ...or this long since the last valid answer, whichever comes first. Default 30000. */
  afterMs: number;
}

export interface BackoffPolicy {
  /** First retry delay after a device went silent. Default: the poll interval. */
  initialMs?: number;
  /** Upper bound of the per-device backoff. Default 60000. */
  maxMs: number;
}

export interface DeviceConfig {
  id: string;
  name?: string;
  /** Profile name (file stem under a profile folder) or a path to a profile file. */
  profile: string;
  bus: string;
  /** Modbus unit id, 1-247. */
  address: number;
  pollIntervalMs: number;
  location: Location;
  /** Per-point overrides of the profile's thresholds, merged field by field. */
  thresholds: Record<string, ThresholdSpec>;
  /** Per-point overrides of report-by-exception settings. */
  reporting: Record<string, { deadband?: number; maxSilenceMs?: number }>;
  offline: OfflinePolicy;
  backoff: BackoffPolicy;
  enabled: boolean;
}

export interface OutboxConfig {
  /** SQLite file. Default <stateDir>/outbox.db. */
  path: string;
  /** Disk quota for the outbox in MiB. Default 512. */
  quotaMb: number;
  /** Readings are group-committed at most this long after they are taken. Default 100. */
  flushIntervalMs: number;
  /** Free-space floor on the outbox's filesystem in MiB. Default 64. */
  minFreeMb?: number;
  /** Room kept for events on a full disk, in MiB. Default 4. */
  reserveMb?: number;
  /** Drain rate limit in readings per second; 0 = unlimited. Default 0. */
  drainRatePerSec?: number;
  /** Token bucket size for the drain rate limit. */
  drainBurst?: number;
  /** Unacknowledged fire alarm fault after this many ms. Default 100000. */
  alarmAckTimeoutMs?: number;
}

export interface TlsConfig {
  /** CA bundle (PEM file) to verify the platform's certificate. Default: the system store. */
  ca?: string;
  /** Client certificate and key (PEM files) for mutual TLS. */
  cert?: string;
  key?: string;
  /** Server name to verify, if different from the URL's host. */
  servername?: string;
}

export interface PlatformConfig {
  /** `embedded` = the demo's in-process broker; `mqtt` = a real broker. */
  kind: 'mqtt' | 'embedded';
  /** mqtts://host:8883 (TLS) or mqtt://host:1883 (plain text, only with allowInsecure). */
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Read the password from this file instead (keeps secrets out of the config). */
  passwordFile?: string;
  tls: TlsConfig;
  /** Plain-text MQTT to a non-local broker is refused unless this is set. */
  allowInsecure: boolean;
  /** Topic root; default `hearth/v1`. */
  topicPrefix: string;
  /** Payload format and topics (docs/platforms.md). */
  codec: 'native' | 'thingsboard' | 'huawei-iotda' | 'alibaba-alink';
  /** Per-platform settings (src/config/sections/platform-codecs.ts). */
  thingsboard?: { accessTokenFile?: string; deviceNamePrefix?: string };
  huawei?: { deviceId: string; secretFile?: string; productId: string; serviceId: string; subDevices?: Record<string, string> };
  alibaba?: {
    productKey: string;
    deviceName: string;
    deviceSecretFile: string;
    clientId?: string;
    subDevices: Record<string, { productKey: string; deviceName: string; deviceSecretFile: string }>;
  };
  /** MQTT protocol version. 5 lets the broker refuse a publish in its PUBACK. */
  mqttVersion: '5' | '3.1.1';
  keepaliveS: number;
  /** Reconnect backoff bounds (exponential with full jitter). */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** QoS 1 publishes in flight at once. */
  inflightWindow: number;
  /** Readings per telemetry message. */
  batchMaxReadings: number;
  batchMaxBytes: number;
  /** Gateway status heartbeat period. */
  heartbeatMs: number;
}

export interface ApiConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** HTTPS with the gateway's own certificate: both PEM files, or neither (plain HTTP). */
  tls?: { cert?: string; key?: string };
  /** Console login sessions last this long. Default 480 (8 h). */
  sessionTtlMinutes?: number;
  /** Wrong tokens per client address within 5 minutes before it gets 429. Default 5. */
  maxFailedLogins?: number;
}

export interface LogConfig {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** `json` for journald, `pretty` for a human at a terminal. Default: pretty on a TTY. */
  format: 'json' | 'pretty' | 'auto';
}

export interface DemoSimulator {
  /** Which simulated device: registers follow the named profile. */
  profile: string;
  /** Where the in-process Modbus TCP simulator listens. */
  host: string;
  port: number;
  /** Unit ids it answers. */
  units: number[];
  /** A scripted scenario: `alarm-cycle` raises an alarm ~10 s after start and restores it ~10 s later. */
  scenario: 'steady' | 'alarm-cycle';
}

export interface DemoConfig {
  simulators: DemoSimulator[];
  /** Port of the embedded broker (aedes) on localhost. */
  brokerPort: number;
  /** The embedded broker confirms events on the ack topic, standing in for a receiving centre. */
  confirmEvents: boolean;
  contacts?: DemoContacts;
  tagReaders?: DemoTagReader[];
}
