import type { GpioInputConfig } from '../../src/config/io-types.js';
import type { PointSpec } from '../../src/model/point.js';
import type { Bias, Level } from '../../src/bus/gpio/types.js';

/**
 * A dry contact on a GPIO line. The only "decoding" is polarity: which physical level means
 * active. With the usual pull-up wiring (contact to GND) a normally-open contact reads low when
 * active; a normally-closed one reads high when active (and a cut wire reads high too, which is
 * why NC loops are preferred for alarms).
 */
export function activeLevel(contact: GpioInputConfig['contact'], wiring: GpioInputConfig['wiring']): Level {
  const closedLevel: Level = wiring === 'pull-up' ? 0 : 1;
  return contact === 'NO' ? closedLevel : closedLevel === 0 ? 1 : 0;
}

export function bias(wiring: GpioInputConfig['wiring']): Bias {
  return wiring;
}

/** Raw value handed to the generic normalize(): the physical level as a bit. */
export function rawLevel(level: Level): boolean {
  return level === 1;
}

/** The input's one boolean point: normalize() turns level into "active" with `activeLow`. */
export function contactPointSpec(input: Pick<GpioInputConfig, 'point' | 'role' | 'severity' | 'contact' | 'wiring' | 'name' | 'labels'>): PointSpec {
  const spec: PointSpec = {
    name: input.point,
    type: 'boolean',
    role: input.role,
    activeLow: activeLevel(input.contact, input.wiring) === 0,
    description: `${input.contact} dry contact (${input.wiring})`,
  };
  if (input.severity !== undefined) spec.severity = input.severity;
  if (input.labels?.en !== undefined) spec.label = input.labels.en;
  return spec;
}
