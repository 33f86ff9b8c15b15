import type { PointSpec, ThresholdSpec } from '../model/point.js';
import { effectiveThresholds } from '../rules/thresholds.js';

/** Bus priorities (lower runs first): alarms-first polling, per the design's "fire pre-empts everything". */
export const FIRE_POLL_PRIORITY = 0;
export const NORMAL_POLL_PRIORITY = 10;

/**
 * A device is fire-relevant when any of its points can raise a fire alarm: a boolean alarm point
 * (default severity fire) or a numeric threshold of kind alarm with severity fire (smoke density),
 * counting the site's overrides.
 */
export function isFireRelevant(points: readonly PointSpec[], overrides?: Readonly<Record<string, ThresholdSpec>>): boolean {
  const booleanFire = points.some((p) => p.type === 'boolean' && p.role === 'alarm' && (p.severity ?? 'fire') === 'fire');
  if (booleanFire) return true;
  return Object.values(effectiveThresholds(points, overrides)).some((t) => t.kind === 'alarm' && t.severity === 'fire');
}

export function pollPriority(points: readonly PointSpec[], overrides?: Readonly<Record<string, ThresholdSpec>>): number {
  return isFireRelevant(points, overrides) ? FIRE_POLL_PRIORITY : NORMAL_POLL_PRIORITY;
}
