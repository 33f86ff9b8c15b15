import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The serial ports on this machine, for an installer whose configured port is not there. USB
 * adapters are listed by their /dev/serial/by-id name: /dev/ttyUSB0 and /dev/ttyUSB1 swap between
 * boots when there are two adapters, the by-id name (vendor, model, serial number) never does.
 */
export interface SerialPortList {
  /** /dev/serial/by-id/<name> with the device it points at (ttyUSB0). */
  byId: { path: string; device: string }[];
  /** Other serial devices: USB (ttyUSB*, ttyACM*) without a by-id name, the Pi's UARTs (ttyAMA*, serial0). */
  others: string[];
}

export const BY_ID_DIR = '/dev/serial/by-id';

/** Folders are parameters so tests can list a folder they made. */
export function listSerialPorts(byIdDir = BY_ID_DIR, devDir = '/dev'): SerialPortList {
  const byId = entries(byIdDir).map((name) => {
    const path = join(byIdDir, name);
    let device = '?';
    try {
      device = readlinkSync(path).split('/').pop() ?? '?';
    } catch {
      // not a link: shown without a target
    }
    return { path, device };
  });
  const named = new Set(byId.map((b) => b.device));
  const others = entries(devDir)
    .filter((n) => /^(ttyUSB\d+|ttyACM\d+|ttyAMA\d+|serial\d)$/.test(n) && !named.has(n))
    .map((n) => join(devDir, n));
  return { byId, others };
}

/** What to tell an installer whose serial port `path` does not exist: where to look and what is there. */
export function missingPortAdvice(path: string, ports: SerialPortList = listSerialPorts(), byIdDir = BY_ID_DIR): string {
  const lines = [
    `serial port ${path} does not exist.`,
    `  Is the RS-485 adapter plugged in? Name it by its ${byIdDir} path: that name stays the same across reboots and re-plugging.`,
  ];
  if (ports.byId.length > 0) lines.push(`  In ${byIdDir} now:`, ...ports.byId.map((p) => `    ${p.path}  (${p.device})`));
  else lines.push(`  ${byIdDir} is empty or absent: no USB serial adapter is plugged in (check the plug, then: ls -l ${byIdDir}).`);
  if (ports.others.length > 0) lines.push(`  Other serial ports: ${ports.others.join(', ')}`);
  return lines.join('\n');
}

export function serialPortExists(path: string): boolean {
  return existsSync(path);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
