import type { Severity } from '../model/event.js';
import type { PointSpec, ThresholdSpec } from '../model/point.js';

/**
 * Effective thresholds: the profile's defaults (PointSpec.thresholds) merged field by field with the
 * site's overrides (DeviceConfig.thresholds[point]). Exported on its own so `hearth check` and the
 * API show exactly the values the rules engine uses.
 */

/** A threshold with every default filled in; `high`/`low` stay optional (one or both are set). */
export interface ResolvedThreshold {
  high?: number;
  low?: number;
  hysteresis: number;
  onDelayMs: number;
  kind: 'alarm' | 'fault';
  severity: Severity;
}

/** Field-by-field merge: a field set in `override` wins, every other field comes from `base`. */
export function mergeThresholds(base?: ThresholdSpec, override?: ThresholdSpec): ThresholdSpec | undefined {
  if (base === undefined && override === undefined) return undefined;
  const merged: ThresholdSpec = { ...base };
  for (const [key, value] of Object.entries(override ?? {}) as [keyof ThresholdSpec, unknown][]) {
    // An override written as `high: ~` in YAML arrives as null: treat it as "not overridden".
    if (value !== undefined && value !== null) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** Fills defaults; undefined when the spec has neither a high nor a low limit (nothing to watch). */
export function resolveThreshold(spec?: ThresholdSpec): ResolvedThreshold | undefined {
  if (spec === undefined || (spec.high === undefined && spec.low === undefined)) return undefined;
  const resolved: ResolvedThreshold = {
    hysteresis: Math.max(0, spec.hysteresis ?? 0),
    onDelayMs: Math.max(0, spec.onDelayMs ?? 0),
    kind: spec.kind ?? 'alarm',
    severity: spec.severity ?? 'critical',
  };
  if (spec.high !== undefined) resolved.high = spec.high;
  if (spec.low !== undefined) resolved.low = spec.low;
  return resolved;
}

/**
 * The thresholds in force for each numeric point of a device, keyed by point name. Overrides for
 * points the profile does not have are ignored here (the config check reports them).
 */
export function effectiveThresholds(
  points: readonly PointSpec[],
  overrides: Readonly<Record<string, ThresholdSpec>> = {},
): Record<string, ResolvedThreshold> {
  const out: Record<string, ResolvedThreshold> = {};
  for (const point of points) {
    if (point.type !== 'number') continue;
    const resolved = resolveThreshold(mergeThresholds(point.thresholds, overrides[point.name]));
    if (resolved !== undefined) out[point.name] = resolved;
  }
  return out;
}
