import { createRequire } from 'node:module';
import type { SerialPort as SerialPortClass } from 'serialport';

const require = createRequire(import.meta.url);
let cached: typeof SerialPortClass | undefined;

/**
 * serialport and its native binding are loaded when a serial port is first opened, not at start:
 * a gateway whose buses are all Modbus TCP (and the demo) never pays the ~10 MB they cost.
 */
export function serialPortClass(): typeof SerialPortClass {
  cached ??= (require('serialport') as typeof import('serialport')).SerialPort;
  return cached;
}
