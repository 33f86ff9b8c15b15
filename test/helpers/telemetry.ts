import { inflateSync } from 'node:zlib';

/** One reading as a platform reads it, whatever the telemetry layout (docs/uplink-native.md). */
export interface PlatformReading {
  dev: string;
  pt: string;
  val: number | boolean | string;
  unit?: string;
  q: string;
  ts: number;
  sync: boolean;
  seq: number;
  ts0?: number;
  mono?: number;
}

/** Is this a native telemetry topic (`telemetry`, `telemetry/columns`, `telemetry/columns-deflate`)? */
export function isTelemetryTopic(topic: string): boolean {
  return /\/telemetry(\/columns(-deflate)?)?$/.test(topic);
}

/** The JSON body of a telemetry message (inflated when deflated). */
export function telemetryBody(topic: string, payload: Buffer): Record<string, unknown> {
  const text = topic.endsWith('/columns-deflate') ? inflateSync(payload).toString('utf8') : payload.toString('utf8');
  return JSON.parse(text) as Record<string, unknown>;
}

type Series = { u?: string; t: number[]; v: PlatformReading['val'][]; s: number[]; q?: string[] };

/**
 * The readings of one telemetry message, in seq order, decoded as a platform developer would from
 * the documented layouts: `readings` objects as they are; columns expanded with `t0 + t[i]` and
 * `s0 + s[i]`, quality `good` unless `q` says otherwise, and the `rows` as they are.
 */
export function decodeTelemetry(topic: string, payload: Buffer): PlatformReading[] {
  const body = telemetryBody(topic, payload);
  if (Array.isArray(body.readings)) return body.readings as PlatformReading[];
  const out: PlatformReading[] = [...((body.rows as PlatformReading[] | undefined) ?? [])];
  const t0 = body.t0 as number;
  const s0 = body.s0 as number;
  for (const [dev, points] of Object.entries((body.dev ?? {}) as Record<string, Record<string, Series>>)) {
    for (const [pt, series] of Object.entries(points)) {
      series.v.forEach((val, i) => {
        const r: PlatformReading = { dev, pt, val, q: series.q?.[i] ?? 'good', ts: t0 + series.t[i]!, sync: true, seq: s0 + series.s[i]! };
        if (series.u !== undefined) r.unit = series.u;
        out.push(r);
      });
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}
