import { serialPortClass } from '../serial/load-serialport.js';
import type { Parity } from '../../config/types.js';
import type { Channel, Connector } from './link.js';

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  parity: Parity;
}

/** A serial port (RS-485 adapter) opened with node-serialport. */
export function serialConnector(settings: SerialSettings): Connector {
  return (events) =>
    new Promise<Channel>((resolve, reject) => {
      const SerialPort = serialPortClass();
      const port = new SerialPort({
        path: settings.path,
        baudRate: settings.baudRate,
        dataBits: settings.dataBits,
        stopBits: settings.stopBits,
        parity: settings.parity,
        autoOpen: false,
      });
      port.open((err) => {
        if (err) return reject(err);
        let lastError: Error | undefined;
        port.on('error', (e: Error) => {
          lastError = e; // a 'close' with the disconnect follows
        });
        port.on('data', (chunk: Buffer) => events.data(chunk));
        port.on('close', (e?: Error | null) => events.closed(e ?? lastError));
        resolve({
          write: (data) => {
            port.write(data);
          },
          close: () =>
            new Promise<void>((done) => {
              if (!port.isOpen) return done();
              port.close(() => done());
            }),
        });
      });
    });
}
