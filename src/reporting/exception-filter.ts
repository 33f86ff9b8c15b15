import type { PointSpec } from '../model/point.js';
import type { Reading } from '../model/reading.js';
import { reportingFor, type ReportingSpec } from './defaults.js';

export type { ReportingSpec };

export interface ReadingSink {
  reading(r: Reading): void;
}

export interface ExceptionCounters {
  forwarded: number;
  suppressed: number;
}

interface LastSent {
  value: Reading['value'];
  quality: Reading['quality'];
  mono: number;
}

/**
 * Report by exception, to cut mobile data: sits between the device runtime's reading sink and the
 * outbox, and forwards a reading only when it tells the platform something new:
 * - the first reading of a point, a change of quality, any change of a boolean or string;
 * - a number that moved more than `deadband` from the last *forwarded* value (so a slow drift is
 *   still reported once it adds up);
 * - `maxSilenceMs` after the last forwarded reading, as a heartbeat proving the point is alive.
 * Every registered point is filtered; one without settings gets the defaults (./defaults.ts: on
 * change, hourly for booleans, every 15 min for numbers). Readings of devices or points never
 * registered pass unfiltered. Timing uses monotonic time, so a wall-clock step neither floods nor
 * silences a point.
 *
 * The rules engine is fed by the runtime separately and sees every reading: alarms never depend
 * on this filter, and alarms, faults and restores are events, which never pass through it.
 * Suppressed readings keep their sequence numbers unused (gaps, not reorderings).
 */
export class ReportByException implements ReadingSink {
  private readonly specs = new Map<string, ReportingSpec>();
  private readonly last = new Map<string, LastSent>();
  readonly counters: ExceptionCounters = { forwarded: 0, suppressed: 0 };

  constructor(private readonly next: ReadingSink) {}

  /** Registers a device's effective points (profile defaults merged with per-device overrides). */
  addDevice(deviceId: string, points: readonly (Pick<PointSpec, 'name' | 'deadband' | 'maxSilenceMs'> & Partial<Pick<PointSpec, 'type'>>)[]): void {
    for (const p of points) this.specs.set(key(deviceId, p.name), reportingFor({ type: p.type ?? 'number', deadband: p.deadband, maxSilenceMs: p.maxSilenceMs }));
  }

  reading(r: Reading): void {
    const k = key(r.deviceId, r.point);
    const spec = this.specs.get(k);
    if (spec !== undefined && !this.isNews(spec, this.last.get(k), r)) {
      this.counters.suppressed++;
      return;
    }
    // Forward first: if the store throws, the next reading is still compared with what was sent.
    this.next.reading(r);
    this.counters.forwarded++;
    if (spec !== undefined) this.last.set(k, { value: r.value, quality: r.quality, mono: r.mono });
  }

  private isNews(spec: ReportingSpec, prev: LastSent | undefined, r: Reading): boolean {
    if (prev === undefined || prev.quality !== r.quality) return true;
    if (r.mono - prev.mono >= spec.maxSilenceMs) return true;
    if (typeof r.value === 'number' && typeof prev.value === 'number') {
      return Math.abs(r.value - prev.value) > spec.deadband;
    }
    return r.value !== prev.value;
  }
}

function key(deviceId: string, point: string): string {
  return `${deviceId}\u0000${point}`;
}
