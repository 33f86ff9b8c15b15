import { deflateSync } from 'node:zlib';
import type { Reading } from '../../model/reading.js';

/**
 * How the native codec lays out a telemetry batch (docs/uplink-native.md, "Telemetry"):
 * - `readings`: one JSON object per reading on `telemetry` (the original format, for platform
 *   integrations written against it);
 * - `columns`: per device and point, arrays of time offsets, values and sequence offsets, on
 *   `telemetry/columns`; a third to a fifth of the bytes;
 * - `columns-deflate`: the same JSON compressed with zlib (RFC 1950), on `telemetry/columns-deflate`.
 */
export type TelemetryFormat = 'readings' | 'columns' | 'columns-deflate';

export const TELEMETRY_FORMATS: readonly TelemetryFormat[] = ['readings', 'columns', 'columns-deflate'];

/** Reading as handed to the codec; `tsUnsynced` is set when the outbox corrected `ts`. */
type Timed = { ts: number; synced: boolean; mono: number; tsUnsynced?: number };

/** The topic under `<prefix>/<gw>/` each format is published on: a consumer never has to guess. */
export function telemetryTopic(format: TelemetryFormat): string {
  return format === 'readings' ? 'telemetry' : `telemetry/${format}`;
}

/** One batch in `format`; `head` holds `v`, `gw` and `batch`, which every format starts with. */
export function encodeTelemetryPayload(format: TelemetryFormat, head: Record<string, unknown>, readings: readonly Reading[]): string | Buffer {
  if (format === 'readings') return JSON.stringify({ ...head, readings: readings.map(encodeReading) });
  const json = JSON.stringify({ ...head, ...columns(readings) });
  return format === 'columns' ? json : deflateSync(json, { level: 9 });
}

/** A reading in the `readings` format (also used for the `rows` of the column formats). */
export function encodeReading(r: Reading): Record<string, unknown> {
  const out: Record<string, unknown> = { dev: r.deviceId, pt: r.point, val: r.value };
  if (r.unit !== undefined) out.unit = r.unit;
  out.q = r.quality;
  addTime(out, r as Timed);
  out.seq = r.seq;
  return out;
}

/**
 * `ts` is the best known wall time; `sync` whether it can be trusted. A record stamped before the
 * clock was synchronized and corrected later also carries its original stamp as `ts0`. `mono`
 * (monotonic ms of the gateway process) lets the platform order and space unsynchronized records.
 */
export function addTime(out: Record<string, unknown>, t: Timed): void {
  out.ts = t.ts;
  out.sync = t.synced;
  if (t.tsUnsynced !== undefined) out.ts0 = t.tsUnsynced;
  if (typeof t.mono === 'number') out.mono = Math.round(t.mono);
}

interface Series {
  u?: string;
  t: number[];
  v: Reading['value'][];
  s: number[];
  q?: Reading['quality'][];
}

/**
 * The column layout. Readings with a trusted clock go into `dev.<device>.<point>` series: `t` ms
 * after `t0`, `s` after `s0`, values in `v`, `q` only when a reading of the series is not good,
 * `u` the unit. The others (clock not synchronized, or corrected afterwards) keep every field, in
 * `rows`, in the `readings` format: their `mono` and `ts0` matter and they are rare.
 */
function columns(readings: readonly Reading[]): Record<string, unknown> {
  const plain = readings.filter((r) => r.synced && (r as Timed).tsUnsynced === undefined);
  const rows = readings.filter((r) => !plain.includes(r));
  const out: Record<string, unknown> = {};
  if (plain.length > 0) {
    const t0 = Math.min(...plain.map((r) => r.ts));
    const s0 = Math.min(...plain.map((r) => r.seq));
    const dev: Record<string, Record<string, Series>> = {};
    for (const r of plain) {
      const points = (dev[r.deviceId] ??= {});
      let series = points[r.point];
      if (series === undefined) {
        series = r.unit !== undefined ? { u: r.unit, t: [], v: [], s: [] } : { t: [], v: [], s: [] };
        points[r.point] = series;
      }
      series.t.push(r.ts - t0);
      series.v.push(compactNumber(r.value));
      series.s.push(r.seq - s0);
      if (r.quality !== 'good' && series.q === undefined) series.q = series.v.slice(0, -1).map(() => 'good');
      series.q?.push(r.quality);
    }
    Object.assign(out, { t0, s0, dev });
  }
  if (rows.length > 0) out.rows = rows.map(encodeReading);
  return out;
}

/**
 * Numbers to 12 significant digits: drops the noise of binary scaling (raw 224 × 0.1 is
 * 22.400000000000002) and keeps every 32-bit register value and every float32 exact.
 */
function compactNumber(v: Reading['value']): Reading['value'] {
  return typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}
