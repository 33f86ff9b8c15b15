import { createServer, type Server, type Socket } from 'node:net';
import { crc16modbus, withCrc } from './crc16.js';
import { silentLogger, type BusLogger } from './logger.js';
import type { RegisterMap } from './register-map.js';
import { answerPdu } from './slave.js';

/**
 * A small Modbus slave on a TCP port serving every unit of a RegisterMap; the demo uses it to stand
 * in for field devices. `framing: 'mbap'` is Modbus TCP; `framing: 'rtu'` is RTU frames over TCP,
 * as a serial device server presents a line of RS-485 slaves. Not jsmodbus's ModbusTCPServer: that
 * one serves a single register space whatever the unit id and ignores unknown function codes
 * instead of answering "illegal function" (see slave.ts).
 */
export interface ModbusTcpServerOptions {
  map: RegisterMap;
  host?: string;
  /** 0 (default) picks a free port; read it from `port` after start. */
  port?: number;
  framing?: 'mbap' | 'rtu';
  logger?: BusLogger;
}

export interface ModbusTcpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const MBAP_HEADER = 7;

export async function startModbusTcpServer(opts: ModbusTcpServerOptions): Promise<ModbusTcpServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? silentLogger;
  const sockets = new Set<Socket>();
  const handle = opts.framing === 'rtu' ? rtuFrames : mbapFrames;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let rx: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      rx = handle(Buffer.concat([rx, chunk]), opts.map, (reply) => socket.write(reply), () => {
        logger.debug({ remote: socket.remoteAddress }, 'modbus server: unparseable bytes, dropping connection');
        socket.destroy();
      });
    });
    socket.on('error', () => {}); // a client vanishing is routine; 'close' cleans up
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
  logger.info({ host, port, units: opts.map.unitIds(), framing: opts.framing ?? 'mbap' }, 'modbus server listening');
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every complete MBAP frame; returns the unconsumed bytes. */
function mbapFrames(rx: Buffer, map: RegisterMap, send: (b: Buffer) => void, garbage: () => void): Buffer {
  while (rx.length >= MBAP_HEADER) {
    const length = rx.readUInt16BE(4);
    if (rx.readUInt16BE(2) !== 0 || length < 2 || length > 254) {
      garbage(); // no way to find the next frame boundary in a stream
      return Buffer.alloc(0);
    }
    if (rx.length < 6 + length) break;
    const unit = rx[6]!;
    const reply = answerPdu(map, unit, rx.subarray(MBAP_HEADER, 6 + length));
    if (reply !== undefined) {
      const out = Buffer.alloc(MBAP_HEADER + reply.length);
      rx.copy(out, 0, 0, 4); // transaction and protocol id echoed
      out.writeUInt16BE(reply.length + 1, 4);
      out.writeUInt8(unit, 6);
      reply.copy(out, MBAP_HEADER);
      send(out);
    }
    rx = rx.subarray(6 + length);
  }
  return rx;
}

/** RTU request length from its function code; undefined if it cannot be known yet. */
function rtuRequestLength(rx: Buffer): number | null | undefined {
  if (rx.length < 2) return undefined;
  const fc = rx[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 0x0f || fc === 0x10) return rx.length < 7 ? undefined : 9 + rx[6]!;
  return null;
}

/** Answers every complete RTU request with a good CRC; a bad one is dropped, as a slave would. */
function rtuFrames(rx: Buffer, map: RegisterMap, send: (b: Buffer) => void, garbage: () => void): Buffer {
  for (;;) {
    const length = rtuRequestLength(rx);
    if (length === null) {
      garbage();
      return Buffer.alloc(0);
    }
    if (length === undefined || rx.length < length) return rx;
    const frame = rx.subarray(0, length);
    rx = rx.subarray(length);
    if (crc16modbus(frame, 0, length - 2) !== frame.readUInt16LE(length - 2)) continue;
    const unit = frame[0]!;
    const reply = answerPdu(map, unit, frame.subarray(1, length - 2));
    if (reply !== undefined) send(withCrc(Buffer.concat([Buffer.from([unit]), reply])));
  }
}
