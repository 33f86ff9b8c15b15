import type { BusConfig } from '../../config/types.js';
import { HearthError } from '../../errors.js';
import { createModbusBus } from './index.js';
import type { ModbusBus } from './types.js';

/**
 * A bus scan for commissioning: which unit addresses answer, at which baud rate. Each address gets
 * one short request (read holding register 0, no retries); any well-formed reply, including a Modbus
 * exception, means a slave lives there. A garbled reply (bad CRC, malformed frame) is reported too:
 * on a serial line it usually means the right address at the wrong baud rate or parity.
 *
 * A serial bus is re-opened at each baud rate to try (a fresh bus per rate, closed afterwards). A
 * TCP bus has no baud rate: one pass. A live bus already polled by the gateway can be passed in
 * (`liveBus`): the scan then shares it at a low priority, one pass at its configured settings.
 */

export interface ScanOptions {
  bus: BusConfig;
  from: number;
  to: number;
  /** Serial buses: the rates to try, in order. Default: the configured rate only. */
  baudRates?: number[];
  /**
   * Serial buses: stop after the first rate at which a slave answered properly (a reply or a Modbus
   * exception; a garbled reply is no answer). Devices on one line share one rate, so the other
   * rates would mostly cost time: 247 addresses take over half a minute per rate. Default false.
   */
  untilAnswered?: boolean;
  /** Per-address reply timeout. Default 150 ms. */
  timeoutMs?: number;
  /** Use this open bus instead of opening one (a bus the gateway already polls). */
  liveBus?: ModbusBus;
  /** Builds a bus from a config; default createModbusBus. */
  createBus?: (cfg: BusConfig) => ModbusBus;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /** A pass over the addresses begins: at this baud rate (serial), or the one pass (undefined). */
  onPass?: (baudRate: number | undefined) => void;
  /** Each slave as it is found (before the progress report of its address). */
  onHit?: (hit: ScanHit) => void;
}

export type ScanReply = 'ok' | 'exception' | 'garbled';

export interface ScanHit {
  unit: number;
  /** Serial buses: the rate it answered at. */
  baudRate?: number;
  reply: ScanReply;
}

export interface ScanProgress {
  /** Addresses probed so far, over all baud rates. */
  done: number;
  total: number;
  baudRate?: number;
  unit?: number;
  found: number;
}

export const DEFAULT_SCAN_TIMEOUT_MS = 150;
/** Behind every ordinary poll (0 fire devices, 10 others): a scan never delays an alarm. */
const SCAN_PRIORITY = 20;

export function validateScanRange(bus: BusConfig, from: number, to: number): void {
  const [min, max] = bus.type === 'modbus-tcp' ? [0, 255] : [1, 247];
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < min || to > max || from > to) {
    throw new HearthError('SCAN_BAD_RANGE', `scan range must be ${min}-${max} with from <= to, got ${from}-${to}`);
  }
}

export async function scanBus(opts: ScanOptions): Promise<ScanHit[]> {
  const { bus, from, to } = opts;
  validateScanRange(bus, from, to);
  const rates = bus.type === 'modbus-rtu' && opts.liveBus === undefined ? (opts.baudRates?.length ? opts.baudRates : [bus.baudRate]) : [undefined];
  const perPass = to - from + 1;
  const progress: ScanProgress = { done: 0, total: perPass * rates.length, found: 0 };
  const hits: ScanHit[] = [];
  const create = opts.createBus ?? ((cfg: BusConfig) => createModbusBus(cfg));
  for (const rate of rates) {
    const own = opts.liveBus === undefined;
    const cfg: BusConfig = rate !== undefined && bus.type === 'modbus-rtu' ? { ...bus, baudRate: rate } : bus;
    const target = opts.liveBus ?? create(cfg);
    try {
      if (own) await target.open();
      opts.onPass?.(rate);
      for (let unit = from; unit <= to; unit++) {
        if (opts.signal?.aborted) throw new HearthError('SCAN_ABORTED', 'scan aborted');
        const reply = await probe(target, unit, opts.timeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS);
        if (reply !== undefined) {
          const hit: ScanHit = { unit, reply };
          if (rate !== undefined) hit.baudRate = rate;
          hits.push(hit);
          opts.onHit?.(hit);
        }
        progress.done += 1;
        progress.unit = unit;
        if (rate !== undefined) progress.baudRate = rate;
        progress.found = hits.length;
        opts.onProgress?.({ ...progress });
      }
    } finally {
      if (own) await target.close();
    }
    if (opts.untilAnswered && hits.some((h) => h.baudRate === rate && h.reply !== 'garbled')) break;
  }
  return hits;
}

async function probe(bus: ModbusBus, unit: number, timeoutMs: number): Promise<ScanReply | undefined> {
  try {
    await bus.request({ op: 'read', unit, area: 'holding', address: 0, count: 1 }, { timeoutMs, retries: 0, priority: SCAN_PRIORITY });
    return 'ok';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'MODBUS_EXCEPTION') return 'exception';
    if (code === 'MODBUS_CRC' || code === 'MODBUS_MALFORMED') return 'garbled';
    if (code === 'MODBUS_TIMEOUT') return undefined;
    // The port or socket itself failed: the whole scan fails with the bus's own typed error.
    throw err;
  }
}
