import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';

/** The gateway as a monitoring centre's session reads it (the daemon supplies it from the alarm desk and the readings). */
export interface CentreView {
  /** The events whose conditions are raised now (not restored): alarms, faults, tamper, offline. */
  active(): readonly GatewayEvent[];
  /** The latest reading of each point of a device, if any. */
  latest(deviceId: string): readonly Reading[];
}

/** A view with nothing raised and no readings (tests, tools). */
export const EMPTY_VIEW: CentreView = { active: () => [], latest: () => [] };
