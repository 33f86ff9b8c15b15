import type { PointSpec } from '../model/point.js';

/** Report-by-exception settings of one point, as the filter applies them. */
export interface ReportingSpec {
  /** Forward a number only if it moved more than this from the last forwarded value. */
  deadband: number;
  /** Forward at least this often (ms, monotonic) even without change. */
  maxSilenceMs: number;
}

/**
 * Heartbeat of a boolean or text point (status bits, contacts) without its own `maxSilenceMs`:
 * one reading an hour proves the point is still read. A change is forwarded at once, and the
 * alarms, faults and restores it stands for are events, which never pass through this filter.
 */
export const DEFAULT_STATE_MAX_SILENCE_MS = 3_600_000;

/**
 * Heartbeat of a number without its own `maxSilenceMs`: a quarter of an hour, so a trend chart on
 * the platform has a point at least that often while the value stands still.
 */
export const DEFAULT_VALUE_MAX_SILENCE_MS = 900_000;

/**
 * The settings a point is filtered with: its own (profile, then `devices[].reporting`), else the
 * defaults. Every point is reported by exception: booleans and text on change, numbers on any
 * change beyond their deadband (0 when none is set), and each at least once per heartbeat. Before
 * these defaults a status bit without settings was re-sent on every poll: in the demo 1,877 of
 * 2,049 readings in 75 s were unchanged booleans (about 300 MB a day on a mobile plan).
 * To forward every poll of a point, set its `maxSilenceMs` to the poll interval or less.
 */
export function reportingFor(p: Pick<PointSpec, 'type' | 'deadband' | 'maxSilenceMs'>): ReportingSpec {
  const heartbeat = p.type === 'number' ? DEFAULT_VALUE_MAX_SILENCE_MS : DEFAULT_STATE_MAX_SILENCE_MS;
  return { deadband: p.deadband ?? 0, maxSilenceMs: p.maxSilenceMs ?? heartbeat };
}
