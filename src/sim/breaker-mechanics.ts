import type { RegisterMap } from '../bus/modbus/register-map.js';
import type { Timers } from '../clock/timers.js';
import { systemTimers } from '../clock/timers.js';

/**
 * The moving parts of the demo's smart leakage breaker (drivers/modbus/profiles/
 * example-smart-leakage-breaker.yaml), as its example manual describes them: the contact (discrete
 * 0) follows the remote switch (coil 0) after the motor operator's travel time; the leakage test
 * (coil 1) trips it and, the test passed, closes it again by itself; a breaker opened by the switch
 * stays open. Only a master's writes move it, as on the real device.
 */
const TRAVEL_MS = 300;
const RECLOSE_AFTER_TEST_MS = 5000;
const SWITCH = 0;
const TEST = 1;
const CONTACT = 0;
const SETTING = 16;

export function attachBreakerMechanics(map: RegisterMap, unit: number, timers: Timers = systemTimers): () => void {
  map.set(unit, 'discrete', CONTACT, true);
  map.set(unit, 'coil', SWITCH, true);
  map.set(unit, 'holding', SETTING, 30); // the factory setting; only a master's write changes it
  return map.onChange((change) => {
    if (!change.byMaster || change.unit !== unit || change.area !== 'coil') return;
    const covers = (address: number) => change.address <= address && address < change.address + change.count;
    if (covers(SWITCH)) {
      const closed = map.readBits(unit, 'coil', SWITCH, 1)[0] === true;
      timers.setTimeout(() => map.set(unit, 'discrete', CONTACT, closed), TRAVEL_MS);
    }
    if (covers(TEST) && map.readBits(unit, 'coil', TEST, 1)[0] === true) {
      map.set(unit, 'coil', TEST, false); // a push button, not a state
      const wasClosed = map.readBits(unit, 'discrete', CONTACT, 1)[0] === true;
      timers.setTimeout(() => map.set(unit, 'discrete', CONTACT, false), TRAVEL_MS);
      if (wasClosed) timers.setTimeout(() => map.set(unit, 'discrete', CONTACT, map.readBits(unit, 'coil', SWITCH, 1)[0] === true), RECLOSE_AFTER_TEST_MS);
    }
  });
}
