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

  constructor(
    private readonly maxEvents = 500,
    private readonly perPoint = 60,
  ) {}

  addEvent(e: GatewayEvent): void {
    this.events.push(e);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }

  addReading(r: Reading): void {
    if (typeof r.value !== 'number') return; // charts plot numbers; booleans are states, shown as such
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
}
