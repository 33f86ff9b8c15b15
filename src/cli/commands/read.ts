import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { devicePointSpecs } from '../../config/effective-points.js';
import { createModbusBus } from '../../bus/modbus/index.js';
import { createModbusDriver } from '../../../drivers/modbus/driver.js';
import { normalizeAll } from '../../devices/normalize.js';
import { SystemClock } from '../../clock/clock.js';
import { CounterSequence } from '../../model/sequence.js';
import { HearthError } from '../../errors.js';
import type { Reading } from '../../model/reading.js';
import { configuredDevice } from '../configured-device.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { explainOpenFailure, missingSerialPort } from '../explain-bus-open.js';
import { recordingBus } from '../read/recording-bus.js';
import { rawRegisterText } from '../read/raw-registers.js';
import { wordOrderHints } from '../read/word-order-hint.js';

const USAGE = `Usage: hearth read DEVICE [--config FILE] [--raw] [--json] [--timeout MS]

Reads one configured device once, the way the daemon polls it (same bus settings, profile, scaling
and plausibility limits), and prints every point with its unit and quality. For commissioning:
"is this detector wired, addressed and answering?"

  DEVICE         a device id from the configuration
  --config FILE  configuration (default ${DEFAULT_CONFIG})
  --raw          show each point's registers as the device sent them (hex) beside its value
  --json         one JSON reading per line instead of a table
  --timeout MS   response timeout for this read (default: the bus's timeoutMs)

A 32-bit value that only makes sense in another byte or word order (2.4e-41 mA where the other
order reads 12.5 mA) gets a hint saying which order, and where to set it.

A serial port is opened exclusively: stop the service first (sudo systemctl stop hearth), or read
through a Modbus TCP bus, which allows a second connection on most device servers.

Exit codes: 0 every point good, 1 the device answered but some point is bad (out of range, wrong
type), 64 usage or unknown device, 69 no valid answer (timeout, CRC, exception), port missing or busy,
78 configuration invalid.`;

export const readCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('read', USAGE, {
      args,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, raw: { type: 'boolean' }, timeout: { type: 'string' } },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const deviceId = parsed.positionals[0];
    const timeoutMs = parsed.values.timeout === undefined ? undefined : Number(parsed.values.timeout);
    if (deviceId === undefined || parsed.positionals.length > 1 || (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0))) {
      process.stderr.write(`hearth read: give exactly one device id${timeoutMs !== undefined ? ' and --timeout as a positive number of ms' : ''}\n${USAGE}\n`);
      return EXIT_USAGE;
    }

    const found = await configuredDevice('read', parsed.values.config, deviceId);
    if (typeof found === 'number') return found;
    const { config, device, profile, busCfg, busIndex } = found;

    const where = `${device.id} is on bus ${busCfg.id}: `;
    const configKey = `buses[${busIndex}]${busCfg.type === 'modbus-rtu' ? '.port' : ' (host, port)'} in ${config.sourcePath ?? 'the configuration'}`;
    const missing = missingSerialPort(busCfg, configKey);
    if (missing) {
      process.stderr.write(`hearth read: ${where}${missing}\n`);
      return EXIT_UNAVAILABLE;
    }
    // Reconnect attempts would only hide "nothing is there": one try, then report.
    const { bus, reads } = recordingBus(createModbusBus(timeoutMs === undefined ? busCfg : { ...busCfg, timeoutMs }, { connectTimeoutMs: Math.max(2000, busCfg.timeoutMs * 2) }));
    try {
      await bus.open();
    } catch (err) {
      process.stderr.write(`hearth read: ${where}${explainOpenFailure(busCfg, err, configKey)}\n`);
      await bus.close().catch(() => undefined);
      return EXIT_UNAVAILABLE;
    }
    try {
      const base = createModbusDriver(profile, bus, device.address);
      const points = devicePointSpecs(base.points, device);
      const t0 = performance.now();
      const raws = await base.read();
      const ms = Math.round(performance.now() - t0);
      const clock = new SystemClock(config.gateway.clockSync);
      const { readings } = normalizeAll(points, raws, { gatewayId: config.gateway.id, deviceId: device.id, clock, seq: new CounterSequence() });
      const hints = wordOrderHints(profile, reads);
      if (parsed.values.json) {
        for (const r of readings) process.stdout.write(JSON.stringify(r) + '\n');
        for (const h of hints) process.stderr.write(`hint: ${h}\n`);
      } else {
        process.stdout.write(`${device.id} (${profile.model}) on ${busCfg.id} unit ${device.address}: ${readings.length} points in ${ms} ms\n`);
        process.stdout.write(table(readings, parsed.values.raw ? rawRegisterText(profile, reads) : undefined));
        for (const h of hints) process.stdout.write(`hint: ${h}\n`);
      }
      return readings.every((r) => r.quality === 'good') ? 0 : EXIT_FAILURE;
    } catch (err) {
      const code = err instanceof HearthError ? err.code : 'ERROR';
      process.stderr.write(`hearth read: ${device.id} on ${busCfg.id} unit ${device.address}: no valid answer (${code}): ${(err as Error).message}\n`);
      return EXIT_UNAVAILABLE;
    } finally {
      await bus.close().catch(() => undefined);
    }
  },
};

/** The readings as columns; with `raw`, the registers each came from as a last column. */
function table(readings: readonly Reading[], raw?: Map<string, string>): string {
  const rows = readings.map((r) => [r.point, formatValue(r.value), r.unit ?? '', r.quality, ...(raw ? [raw.get(r.point) ?? ''] : [])]);
  const head = ['point', 'value', 'unit', 'quality', ...(raw ? ['registers'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n';
  return [line(head), ...rows.map(line)].join('');
}

function formatValue(v: Reading['value']): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
