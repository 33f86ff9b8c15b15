import type { Static } from '@sinclair/typebox';
import type { hearthConfigSchema } from './schema.js';
import type { rtuOverTcpSchema, rtuSerialSchema, tcpSchema } from './sections/buses.js';
import type { backoffSchema, deviceSchema, offlineSchema } from './sections/devices.js';
import type { centreSchema } from './sections/centres.js';
import type { gatewaySchema } from './sections/gateway.js';
import type { remoteSchema } from './sections/platform-codecs.js';
import type { platformSchema, tlsSchema } from './sections/platform.js';
import type { apiSchema, demoSchema, demoSimulatorSchema, logSchema, outboxSchema } from './sections/services.js';

/**
 * The configuration after loading, validation and defaults, derived from the JSON Schema in
 * ./schema.ts (the descriptions there say what each setting means). Properties with a default are
 * always present (sections/defaulted.ts). Durations are milliseconds and say so in their names.
 */
export interface HearthConfig extends Static<typeof hearthConfigSchema> {
  /** Absolute path of the file this was loaded from (for relative paths and messages). */
  sourcePath?: string;
}

export type GatewayConfig = Static<typeof gatewaySchema>;

export type ModbusRtuSerialBusConfig = Static<typeof rtuSerialSchema>;
/** Modbus RTU frames carried over a TCP socket (the serial device servers many sites use). */
export type ModbusRtuTcpBusConfig = Static<typeof rtuOverTcpSchema>;
export type ModbusTcpBusConfig = Static<typeof tcpSchema>;
export type BusConfig = ModbusRtuSerialBusConfig | ModbusRtuTcpBusConfig | ModbusTcpBusConfig;
export type Parity = ModbusRtuSerialBusConfig['parity'];

export type DeviceConfig = Static<typeof deviceSchema>;
export type OfflinePolicy = Static<typeof offlineSchema>;
export type BackoffPolicy = Static<typeof backoffSchema>;

export type OutboxConfig = Static<typeof outboxSchema>;
export type PlatformConfig = Static<typeof platformSchema>;
/** A fire remote monitoring centre (GB/T 26875.3) the gateway reports to beside the platform. */
export type CentreConfig = Static<typeof centreSchema>;
export type TlsConfig = Static<typeof tlsSchema>;
export type RemoteConfig = Static<typeof remoteSchema>;
export type RemoteCommandName = RemoteConfig['allow'][number];
export type ApiConfig = Static<typeof apiSchema>;
export type LogConfig = Static<typeof logSchema>;

export type DemoConfig = Static<typeof demoSchema>;
export type DemoSimulator = Static<typeof demoSimulatorSchema>;
