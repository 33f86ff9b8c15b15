import type { PointSpec } from '../model/point.js';
import type { DeviceConfig } from './types.js';

/**
 * A device's points after its per-device overrides: thresholds and reporting settings from the
 * config are merged field by field over the profile's defaults. The runtime and `hearth check`
 * both use this, so the plan shows exactly what will be applied.
 */
export function devicePointSpecs(profilePoints: readonly PointSpec[], device: Pick<DeviceConfig, 'thresholds' | 'reporting'>): PointSpec[] {
  return profilePoints.map((p) => {
    const thresholdOverride = device.thresholds[p.name];
    const reportingOverride = device.reporting[p.name];
    if (!thresholdOverride && !reportingOverride) return p;
    const merged: PointSpec = { ...p };
    if (thresholdOverride) merged.thresholds = { ...p.thresholds, ...thresholdOverride };
    if (reportingOverride?.deadband !== undefined) merged.deadband = reportingOverride.deadband;
    if (reportingOverride?.maxSilenceMs !== undefined) merged.maxSilenceMs = reportingOverride.maxSilenceMs;
    return merged;
  });
}
