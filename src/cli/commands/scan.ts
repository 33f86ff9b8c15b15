import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_FAILURE, EXIT_OK, EXIT_UNAVAILABLE } from '../exit-codes.js';
import { loadConfig } from '../../config/load.js';
import type { BusConfig } from '../../config/types.js';
import { scanBus, DEFAULT_SCAN_TIMEOUT_MS, type ScanHit } from '../../bus/modbus/scan.js';
import { reportError } from '../report-error.js';
import { suggest } from '../../config/suggest.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { explainOpenFailure, missingSerialPort } from '../explain-bus-open.js';
import { scanProgressReporter } from '../scan-progress.js';

/** `--baud common`: the rates fire detectors ship with, most usual first. */
const COMMON_RATES = [9600, 19200, 4800, 38400, 2400, 115200];

const USAGE = `Usage: hearth scan (--bus ID [--config FILE] | --serial PATH | --tcp HOST:PORT | --rtu-tcp HOST:PORT)
                   [--from N] [--to N] [--baud 9600,19200,...|common] [--all-rates] [--timeout MS] [--json]

Finds the Modbus slaves on a bus: every address from --from to --to (default 1-247) gets one short
request; any reply, even a Modbus exception, means a slave is there. A serial bus is re-opened at each
--baud rate, and the scan stops after the first rate at which a slave answers (devices on one line
share one rate; --all-rates tries every rate anyway). A garbled reply usually means the right address
at the wrong baud rate or parity. Progress goes to stderr: a line per baud rate and every 25 addresses.
Stop the service first when scanning a serial port it uses (systemctl stop hearth): a port has one owner.

  --bus ID          a bus from the configuration (--config FILE, default ${DEFAULT_CONFIG})
  --serial PATH     a serial port not in the configuration (8 data bits, no parity, 1 stop bit);
                    name USB adapters by /dev/serial/by-id/... (ls -l /dev/serial/by-id)
  --tcp HOST:PORT   a Modbus TCP device; --rtu-tcp HOST:PORT for RTU frames over TCP
  --from N, --to N  the addresses to try (default 1-247; Modbus TCP allows 0-255)
  --baud RATES      serial: the rates to try, in order (default: the bus's rate, 9600 for --serial);
                    common = ${COMMON_RATES.join(',')}
  --all-rates       do not stop at the first rate that answers
  --timeout MS      reply timeout per address (default ${DEFAULT_SCAN_TIMEOUT_MS})
  --json            print the findings as JSON

Exit codes: 0 scanned (whether or not anything answered), 64 usage, 69 the port or device server
cannot be opened (the message says why and what to do), 78 configuration invalid.`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  bus: { type: 'string' },
  serial: { type: 'string' },
  tcp: { type: 'string' },
  'rtu-tcp': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  baud: { type: 'string' },
  'all-rates': { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | undefined>;

class UsageError extends Error {}

interface Target {
  bus: BusConfig;
  /** Where the bus's port is set, for a bus from the configuration. */
  configKey?: string;
}

async function target(v: Values): Promise<Target> {
  const common = { timeoutMs: 1000, retries: 0 };
  const hostPort = (s: string): { host: string; port: number } => {
    const m = /^(.+):(\d+)$/.exec(s);
    if (m === null) throw new UsageError(`expected HOST:PORT, got '${s}'`);
    return { host: m[1]!, port: Number(m[2]) };
  };
  if (typeof v.serial === 'string') return { bus: { id: 'scan', type: 'modbus-rtu', port: v.serial, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, ...common } };
  if (typeof v.tcp === 'string') return { bus: { id: 'scan', type: 'modbus-tcp', ...hostPort(v.tcp), ...common } };
  if (typeof v['rtu-tcp'] === 'string') return { bus: { id: 'scan', type: 'modbus-rtu-over-tcp', ...hostPort(v['rtu-tcp']), baudRate: 9600, ...common } };
  if (typeof v.bus !== 'string') throw new UsageError('say which bus: --bus ID, --serial PATH, --tcp HOST:PORT or --rtu-tcp HOST:PORT');
  const file = typeof v.config === 'string' ? v.config : DEFAULT_CONFIG;
  const config = await loadConfig(file, { checkFiles: false });
  const index = config.buses.findIndex((b) => b.id === v.bus);
  if (index < 0) {
    const ids = config.buses.map((b) => b.id);
    const guess = suggest(v.bus, ids);
    throw new UsageError(`no bus '${v.bus}' in the configuration (buses: ${ids.join(', ') || 'none'})${guess ? `; did you mean '${guess}'?` : ''}`);
  }
  return { bus: config.buses[index]!, configKey: `buses[${index}] in ${config.sourcePath ?? file}` };
}

function intOption(v: Values, name: string, fallback: number): number {
  const raw = v[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${String(raw)}'`);
  return n;
}

function baudOption(v: Values): number[] | undefined {
  if (typeof v.baud !== 'string') return undefined;
  if (v.baud === 'common') return COMMON_RATES;
  const rates = v.baud.split(',').map((b) => Number(b.trim()));
  if (rates.some((b) => !Number.isInteger(b) || b <= 0)) throw new UsageError(`--baud must be a list of rates or 'common', got '${v.baud}'`);
  return rates;
}

export const scanCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('scan', USAGE, { args, options: OPTIONS });
    if (parsed === undefined) return EXIT_USAGE;
    const v: Values = parsed.values;
    let t: Target, from: number, to: number, timeoutMs: number, baudRates: number[] | undefined;
    try {
      t = await target(v);
      from = intOption(v, 'from', 1);
      to = intOption(v, 'to', 247);
      timeoutMs = intOption(v, 'timeout', DEFAULT_SCAN_TIMEOUT_MS);
      baudRates = baudOption(v);
    } catch (err) {
      if (!(err instanceof UsageError)) return reportError(err);
      process.stderr.write(`hearth scan: ${err.message}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    const { bus, configKey } = t;
    const missing = missingSerialPort(bus, configKey);
    if (missing) {
      process.stderr.write(`hearth scan: ${missing}\n`);
      return EXIT_UNAVAILABLE;
    }
    const report = scanProgressReporter({ out: process.stderr, from, to, timeoutMs });
    const rates = bus.type === 'modbus-rtu' ? (baudRates ?? [bus.baudRate]) : [];
    let lastRate: number | undefined;
    try {
      const hits = await scanBus({
        bus,
        from,
        to,
        timeoutMs,
        untilAnswered: v['all-rates'] !== true,
        ...(baudRates ? { baudRates } : {}),
        onPass: (rate) => {
          lastRate = rate;
          report.rateStarts(rate);
        },
        onHit: (h) => {
          if (v.json) return;
          report.end();
          process.stdout.write(`${describe(h)}\n`);
        },
        onProgress: (p) => report.progress(p),
      });
      report.end();
      const skipped = lastRate === undefined ? [] : rates.slice(rates.indexOf(lastRate) + 1);
      if (v.json) process.stdout.write(`${JSON.stringify({ bus: bus.id, from, to, found: hits, ratesNotTried: skipped }, null, 2)}\n`);
      else process.stdout.write(`${hits.length} slave(s) found on ${bus.id}\n`);
      if (skipped.length > 0) process.stderr.write(`stopped at ${lastRate} baud, where slaves answered; not tried: ${skipped.join(', ')} (--all-rates tries them)\n`);
      return EXIT_OK;
    } catch (err) {
      report.end();
      const code = (err as { code?: unknown }).code;
      if (code === 'BUS_DISCONNECTED') {
        process.stderr.write(`hearth scan: ${explainOpenFailure(bus, err, configKey)}\n`);
        return EXIT_UNAVAILABLE;
      }
      process.stderr.write(`hearth scan: ${(err as Error).message}\n`);
      return code === 'SCAN_BAD_RANGE' ? EXIT_USAGE : EXIT_FAILURE;
    }
  },
};

function describe(h: ScanHit): string {
  const how = h.reply === 'ok' ? 'answers' : h.reply === 'exception' ? 'answers (with a Modbus exception to register 0)' : 'garbled reply: wrong baud rate or parity?';
  return `unit ${h.unit}${h.baudRate ? ` at ${h.baudRate} baud` : ''}: ${how}`;
}
