import type { BusConfig } from '../../config/types.js';
import { interFrameGapMs } from './frame-timing.js';
import type { Framing } from './framing.js';
import type { Connector, ReconnectPolicy } from '../links/link.js';
import { ReconnectingLink } from '../links/reconnecting-link.js';
import { serialConnector } from '../links/serial-channel.js';
import { tcpConnector } from '../links/tcp-channel.js';
import { silentLogger, type BusLogger } from './logger.js';
import { ModbusMaster } from './master.js';
import { rtuFraming } from './rtu-framing.js';
import { createTcpFraming } from './tcp-framing.js';

export * from './errors.js';
export type * from './types.js';
export { interFrameGapMs } from './frame-timing.js';
export { ModbusMaster } from './master.js';
export type { BusLogger } from './logger.js';

export interface CreateBusOptions {
  logger?: BusLogger;
  /** Reconnect backoff for sockets and serial ports that go away. Default 250 ms .. 30 s. */
  reconnect?: ReconnectPolicy;
  /** TCP connect timeout. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** RTU: silence added after a timeout (see MasterSettings.lateReplyGuardMs). Default min(timeout/4, 50 ms). */
  lateReplyGuardMs?: number;
}

const DEFAULT_RECONNECT: ReconnectPolicy = { minMs: 250, maxMs: 30_000 };
/** Unit 0 is the RTU broadcast address (no reply); 248-255 are reserved on a serial line. */
const RTU_UNITS = { min: 1, max: 247 };
/** Modbus TCP devices answer any unit id, commonly 0, 1 or 255. */
const TCP_UNITS = { min: 0, max: 255 };

/** Builds the bus a config entry describes. Call open() before requests. */
export function createModbusBus(config: BusConfig, opts: CreateBusOptions = {}): ModbusMaster {
  const logger = opts.logger ?? silentLogger;
  const reconnect = opts.reconnect ?? DEFAULT_RECONNECT;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  let framing: Framing;
  let connector: Connector;
  let describe: string;
  let lineGapMs: number;
  switch (config.type) {
    case 'modbus-rtu':
      framing = rtuFraming;
      connector = serialConnector({
        path: config.port,
        baudRate: config.baudRate,
        dataBits: config.dataBits,
        stopBits: config.stopBits,
        parity: config.parity,
      });
      describe = `${config.port}@${config.baudRate}`;
      lineGapMs = interFrameGapMs(config);
      break;
    case 'modbus-rtu-over-tcp':
      framing = rtuFraming;
      connector = tcpConnector(config.host, config.port, connectTimeoutMs);
      describe = `rtu+tcp://${config.host}:${config.port}`;
      lineGapMs = interFrameGapMs({ baudRate: config.baudRate ?? 9600 });
      break;
    case 'modbus-tcp':
      framing = createTcpFraming();
      connector = tcpConnector(config.host, config.port, connectTimeoutMs);
      describe = `tcp://${config.host}:${config.port}`;
      lineGapMs = 0;
      break;
  }
  const rtu = framing.kind === 'rtu';
  const gapMs = config.interFrameGapMs ?? lineGapMs;
  return new ModbusMaster({
    id: config.id,
    framing,
    link: new ReconnectingLink(config.id, describe, connector, reconnect, logger),
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    gapMs,
    lateReplyGuardMs: rtu ? (opts.lateReplyGuardMs ?? Math.min(config.timeoutMs / 4, 50)) : 0,
    crcSettleMs: Math.max(10, 4 * gapMs),
    units: rtu ? RTU_UNITS : TCP_UNITS,
    logger,
  });
}
