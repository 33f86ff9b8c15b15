import type { PointSpec } from './point.js';
import type { PointValue } from './reading.js';

/** A raw value as the device gave it, before scale, offset and plausibility checks. */
export interface RawValue {
  point: string;
  raw: PointValue;
}

/**
 * One field device as the runtime sees it. A driver knows how to read the device's points and
 * returns raw values; everything after that (scaling, limits, thresholds, events) is generic.
 */
export interface DeviceDriver {
  /** The points this device reports, with units, scaling, limits and default thresholds. */
  readonly points: readonly PointSpec[];
  /**
   * Read all points once. Rejects (with a typed error from the bus) when the device gave no valid
   * answer; a partially valid answer resolves with the points that were read.
   */
  read(opts?: { priority?: number }): Promise<RawValue[]>;
}
