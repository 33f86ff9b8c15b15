import { createConnection } from 'node:net';
import type { Channel, Connector } from './link.js';

/** A TCP socket to a Modbus TCP device or a serial device server (RTU over TCP). */
export function tcpConnector(host: string, port: number, connectTimeoutMs: number): Connector {
  return (events) =>
    new Promise<Channel>((resolve, reject) => {
      const socket = createConnection({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), connectTimeoutMs);
      const failConnect = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', failConnect);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failConnect);
        // A device server that lost power never sends FIN; keepalive eventually notices.
        socket.setKeepAlive(true, 10_000);
        let lastError: Error | undefined;
        socket.on('error', (err) => {
          lastError = err; // 'close' follows and reports it
        });
        socket.on('data', (chunk: Buffer) => events.data(chunk));
        socket.on('close', () => events.closed(lastError));
        resolve({
          write: (data) => {
            socket.write(data);
          },
          close: () =>
            new Promise<void>((done) => {
              if (socket.destroyed) return done();
              socket.once('close', () => done());
              socket.destroy();
            }),
        });
      });
    });
}
