import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';

/**
 * What the console shows of the past without asking the outbox (which keeps only what is not yet
 * sent): the last events, and the last numeric readings per device and point for small charts.
 * Fixed-size rings: memory stays bounded however long the gateway runs.
 */
export class RecentRecords {
  private readonly events: GatewayEvent[] = [];
  private readonly readings = new Map<string, Map<string, Reading[]>>();
  private readonly trends = new Map<string, Map<string, TrendSample[]>>();
  private readonly latest = new Map<string, Map<string, Reading>>();
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly maxEvents = 500,
    private readonly perPoint = 60,
    /** Trend: one averaged sample per bucket, this many buckets (default 1/min for 6 h). */
    private readonly trendBucketMs = 60_000,
    private readonly trendBuckets = 360,
  ) {}

  addEvent(e: GatewayEvent): void {
    if (e.kind !== 'offline' && e.kind !== 'dropped' && e.kind !== 'test') this.markSeen(e.deviceId, e.ts);
    this.events.push(e);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }

  addReading(r: Reading): void {
    this.markSeen(r.deviceId, r.ts);
    let last = this.latest.get(r.deviceId);
    if (last === undefined) this.latest.set(r.deviceId, (last = new Map()));
    last.set(r.point, r);
    if (typeof r.value !== 'number') return;
    this.addTrend(r.deviceId, r.point, r.ts, r.value); // charts plot numbers; booleans are states, shown as such
    let points = this.readings.get(r.deviceId);
    if (points === undefined) this.readings.set(r.deviceId, (points = new Map()));
    let ring = points.get(r.point);
    if (ring === undefined) points.set(r.point, (ring = []));
    ring.push(r);
    if (ring.length > this.perPoint) ring.shift();
  }

  /** Newest first. */
  recentEvents(limit: number): GatewayEvent[] {
    return this.events.slice(-limit).reverse();
  }

  /** Oldest first; one point, or every numeric point of the device merged by time. */
  history(deviceId: string, point?: string): Reading[] {
    const points = this.readings.get(deviceId);
    if (points === undefined) return [];
    if (point !== undefined) return [...(points.get(point) ?? [])];
    return [...points.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  /** Wall time of the last reading or event from the device (an offline event does not count). */
  lastSeen(deviceId: string): number | undefined {
    return this.seen.get(deviceId);
  }

  /** The last reading of each point of the device, whatever its type (contacts, tag readers too). */
  lastValues(deviceId: string): Reading[] {
    return [...(this.latest.get(deviceId)?.values() ?? [])];
  }

  /** Oldest first: the mean, min and max of each bucket of the last hours. */
  trend(deviceId: string, point: string): TrendSample[] {
    return [...(this.trends.get(deviceId)?.get(point) ?? [])];
  }

  private markSeen(deviceId: string, ts: number): void {
    if (ts > (this.seen.get(deviceId) ?? 0)) this.seen.set(deviceId, ts);
  }

  private addTrend(deviceId: string, point: string, ts: number, value: number): void {
    let points = this.trends.get(deviceId);
    if (points === undefined) this.trends.set(deviceId, (points = new Map()));
    let ring = points.get(point);
    if (ring === undefined) points.set(point, (ring = []));
    const bucket = Math.floor(ts / this.trendBucketMs) * this.trendBucketMs;
    const last = ring[ring.length - 1];
    if (last !== undefined && last.ts === bucket) {
      last.n += 1;
      last.mean += (value - last.mean) / last.n;
      last.min = Math.min(last.min, value);
      last.max = Math.max(last.max, value);
      return;
    }
    ring.push({ ts: bucket, mean: value, min: value, max: value, n: 1 });
    if (ring.length > this.trendBuckets) ring.splice(0, ring.length - this.trendBuckets);
  }
}

/** One bucket of a point's trend: start time and the values seen in it. */
export interface TrendSample {
  ts: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}
