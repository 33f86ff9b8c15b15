import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { loadConfig } from '../../config/load.js';
import type { BusConfig } from '../../config/types.js';
import { scanBus, DEFAULT_SCAN_TIMEOUT_MS, type ScanHit } from '../../bus/modbus/scan.js';
import { reportError } from '../report-error.js';

const USAGE = `Usage: hearth scan (--bus ID [--config FILE] | --serial PATH | --tcp HOST:PORT | --rtu-tcp HOST:PORT)
                   [--from N] [--to N] [--baud 9600,19200,...] [--timeout MS] [--json]

Finds the Modbus slaves on a bus: every address from --from to --to (default 1-247) gets one short
request; any reply, even a Modbus exception, means a slave is there. A serial bus is re-opened at each
--baud rate. A garbled reply usually means the right address at the wrong baud rate or parity.
Stop the service first when scanning a serial port it uses (systemctl stop hearth): a port has one owner.

  --bus ID          a bus from the configuration (--config FILE, default ${DEFAULT_CONFIG})
  --serial PATH     a serial port not in the configuration (8 data bits, no parity, 1 stop bit)
  --tcp HOST:PORT   a Modbus TCP device; --rtu-tcp HOST:PORT for RTU frames over TCP
  --timeout MS      reply timeout per address (default ${DEFAULT_SCAN_TIMEOUT_MS})
  --json            print the findings as JSON`;

type Values = Record<string, string | boolean | undefined>;

async function targetBus(v: Values): Promise<BusConfig> {
  const common = { timeoutMs: 1000, retries: 0 };
  const hostPort = (s: string): { host: string; port: number } => {
    const m = /^(.+):(\d+)$/.exec(s);
    if (m === null) throw new UsageError(`expected HOST:PORT, got '${s}'`);
    return { host: m[1]!, port: Number(m[2]) };
  };
  if (typeof v.serial === 'string') return { id: 'scan', type: 'modbus-rtu', port: v.serial, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, ...common };
  if (typeof v.tcp === 'string') return { id: 'scan', type: 'modbus-tcp', ...hostPort(v.tcp), ...common };
  if (typeof v['rtu-tcp'] === 'string') return { id: 'scan', type: 'modbus-rtu-over-tcp', ...hostPort(v['rtu-tcp']), baudRate: 9600, ...common };
  if (typeof v.bus !== 'string') throw new UsageError('say which bus: --bus ID, --serial PATH, --tcp HOST:PORT or --rtu-tcp HOST:PORT');
  const config = await loadConfig(typeof v.config === 'string' ? v.config : DEFAULT_CONFIG, { checkFiles: false });
  const bus = config.buses.find((b) => b.id === v.bus);
  if (bus === undefined) throw new UsageError(`no bus '${v.bus}' in the configuration (buses: ${config.buses.map((b) => b.id).join(', ') || 'none'})`);
  return bus;
}

class UsageError extends Error {}

function intOption(v: Values, name: string, fallback: number): number {
  const raw = v[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${String(raw)}'`);
  return n;
}

export const scanCommand: Command = {
  usage: USAGE,
  async run(args) {
    let v: Values;
    let bus: BusConfig;
    let from: number, to: number, timeoutMs: number;
    let baudRates: number[] | undefined;
    try {
      v = parseArgs({
        args,
        options: {
          config: { type: 'string', short: 'c' },
          bus: { type: 'string' },
          serial: { type: 'string' },
          tcp: { type: 'string' },
          'rtu-tcp': { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          baud: { type: 'string' },
          timeout: { type: 'string' },
          json: { type: 'boolean' },
        },
      }).values;
      bus = await targetBus(v);
      from = intOption(v, 'from', 1);
      to = intOption(v, 'to', 247);
      timeoutMs = intOption(v, 'timeout', DEFAULT_SCAN_TIMEOUT_MS);
      if (typeof v.baud === 'string') {
        baudRates = v.baud.split(',').map((b) => Number(b.trim()));
        if (baudRates.some((b) => !Number.isInteger(b) || b <= 0)) throw new UsageError(`--baud must be a list of rates, got '${v.baud}'`);
      }
    } catch (err) {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`hearth scan: ${(err as Error).message}\n${USAGE}\n`);
        return EXIT_USAGE;
      }
      return reportError(err);
    }
    const tty = process.stderr.isTTY === true;
    try {
      const hits = await scanBus({
        bus,
        from,
        to,
        timeoutMs,
        ...(baudRates ? { baudRates } : {}),
        onHit: (h) => {
          if (!v.json) process.stdout.write(`${describe(h)}\n`);
        },
        onProgress: (p) => {
          if (tty) process.stderr.write(`\rscanning${p.baudRate ? ` at ${p.baudRate} baud` : ''}: ${p.done}/${p.total}, found ${p.found}   `);
        },
      });
      if (tty) process.stderr.write('\n');
      if (v.json) process.stdout.write(`${JSON.stringify({ bus: bus.id, from, to, found: hits }, null, 2)}\n`);
      else process.stdout.write(`${hits.length} slave(s) found on ${bus.id}\n`);
      return EXIT_OK;
    } catch (err) {
      if (tty) process.stderr.write('\n');
      process.stderr.write(`hearth scan: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
  },
};

function describe(h: ScanHit): string {
  const how = h.reply === 'ok' ? 'answers' : h.reply === 'exception' ? 'answers (with a Modbus exception to register 0)' : 'garbled reply: wrong baud rate or parity?';
  return `unit ${h.unit}${h.baudRate ? ` at ${h.baudRate} baud` : ''}: ${how}`;
}
