import type { BusConfig } from '../config/types.js';
import { missingPortAdvice, serialPortExists } from './serial-ports.js';

/**
 * Why a bus could not be opened, for a person with a laptop in a stairwell: the port or address
 * that failed and what to do, never just "not connected". `configKey` (buses[0].port in FILE)
 * says where the setting lives when it came from the configuration.
 */

/** Before opening: a serial port that does not exist, or undefined when there is nothing to say yet. */
export function missingSerialPort(bus: BusConfig, configKey?: string): string | undefined {
  if (bus.type !== 'modbus-rtu' || serialPortExists(bus.port)) return undefined;
  return `${missingPortAdvice(bus.port)}${configKey ? `\n  The port is set in ${configKey}.` : ''}`;
}

/** After open() failed: the cause (serialport and node give the details in the innermost error). */
export function explainOpenFailure(bus: BusConfig, err: unknown, configKey?: string): string {
  const root = innermost(err);
  const text = root.message;
  const where = configKey ? ` (${configKey})` : '';
  if (bus.type === 'modbus-rtu') {
    const missing = missingSerialPort(bus, configKey);
    if (missing) return missing; // unplugged between the check and the open
    if (/permission denied|EACCES/i.test(text)) {
      return `no permission to open ${bus.port}${where}: run with sudo, or add the user to the dialout group (sudo usermod -aG dialout $USER, then log in again).`;
    }
    if (/lock|busy|resource temporarily unavailable/i.test(text)) {
      return `${bus.port}${where} is in use by another program, usually the hearth service: sudo systemctl stop hearth, then try again (start it afterwards).`;
    }
    if (/ioctl|baud/i.test(text)) return `${bus.port}${where} is not a serial port, or does not accept ${bus.baudRate} baud (${text}).`;
    return `cannot open ${bus.port}${where}: ${text}`;
  }
  const target = `${bus.host}:${bus.port}`;
  const code = (root as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return `nothing accepts connections at ${target}${where}: check the device server's IP address and port (502 for Modbus TCP), and that it is powered.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host ${bus.host}${where} not found: check the name, or use the device server's IP address.`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${target}${where} cannot be reached from here: check the network cable, and that the gateway and the device server are on the same network.`;
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) return `no answer from ${target}${where}: check the device server's IP address, that it is powered and on the network.`;
  return `cannot connect to ${target}${where}: ${text}`;
}

function innermost(err: unknown): Error {
  let e = err instanceof Error ? err : new Error(String(err));
  for (let depth = 0; depth < 10 && e.cause instanceof Error; depth++) e = e.cause;
  return e;
}
