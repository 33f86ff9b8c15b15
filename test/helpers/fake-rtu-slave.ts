import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { crc16modbus } from '../../src/bus/modbus/crc16.js';

/**
 * A scripted RTU slave for misbehaviour the real simulators will not produce on demand: garbage,
 * corrupted CRCs, late replies. It parses requests, and a per-test `script` decides what goes back.
 */
export interface RtuRequestSeen {
  unit: number;
  fc: number;
  address: number;
  /** Quantity for reads, value for single writes. */
  quantity: number;
  at: number;
}

export type Script = (req: RtuRequestSeen, slave: FakeSlave) => void;

export interface FakeSlave {
  readonly seen: RtuRequestSeen[];
  send(bytes: Buffer | number[]): void;
  close(): Promise<void>;
}

export function frame(bytes: number[]): Buffer {
  const body = Buffer.from(bytes);
  const out = Buffer.alloc(body.length + 2);
  body.copy(out);
  out.writeUInt16LE(crc16modbus(body), body.length);
  return out;
}

/** A read-holding/input reply carrying `values`. */
export function registersReply(unit: number, fc: number, values: number[]): Buffer {
  const data: number[] = [];
  for (const v of values) data.push(v >> 8, v & 0xff);
  return frame([unit, fc, data.length, ...data]);
}

export function corruptCrc(f: Buffer): Buffer {
  const out = Buffer.from(f);
  out[out.length - 1]! ^= 0xff;
  return out;
}

function parse(rx: Buffer): { req: RtuRequestSeen; length: number } | undefined {
  if (rx.length < 8) return undefined;
  const fc = rx[1]!;
  const length = fc === 0x0f || fc === 0x10 ? 9 + rx[6]! : 8;
  if (rx.length < length) return undefined;
  return {
    req: { unit: rx[0]!, fc, address: rx.readUInt16BE(2), quantity: rx.readUInt16BE(4), at: performance.now() },
    length,
  };
}

function attach(write: (b: Buffer) => void, script: Script): { slave: Omit<FakeSlave, 'close'>; onData(b: Buffer): void } {
  let rx = Buffer.alloc(0);
  const seen: RtuRequestSeen[] = [];
  const slave = { seen, send: (bytes: Buffer | number[]) => write(Buffer.from(bytes)) };
  return {
    slave,
    onData(chunk) {
      rx = Buffer.concat([rx, chunk]);
      for (let p = parse(rx); p; p = parse(rx)) {
        rx = rx.subarray(p.length);
        seen.push(p.req);
        script(p.req, slave as FakeSlave);
      }
    },
  };
}

/** The slave on the far end of a pty pair, through serialport like the master. */
export async function fakeSlaveOnPty(path: string, script: Script): Promise<FakeSlave> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const { slave, onData } = attach((b) => port.write(b), script);
  port.on('data', onData);
  return {
    ...slave,
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

/** The slave behind a TCP listener, as a serial device server would present it (RTU over TCP). */
export async function fakeSlaveOnTcp(script: Script): Promise<FakeSlave & { port: number }> {
  const sockets = new Set<Socket>();
  let current: Socket | undefined;
  const { slave, onData } = attach((b) => current?.write(b), script);
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    current = socket;
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    ...slave,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
