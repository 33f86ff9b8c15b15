import { loadProfileSync } from '../../drivers/modbus/profile.js';
import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import { repoPath } from '../helpers/repo.js';

/** The shipped example breaker profile, loaded as the gateway loads it. */
export function breakerProfile(): ModbusProfile {
  return loadProfileSync(repoPath('drivers/modbus/profiles/example-smart-leakage-breaker.yaml'));
}

/**
 * pymodbus behaving as that breaker: its contact (discrete 0) follows the remote switch (coil 0)
 * after `delayMs`, the leakage test (coil 1) trips it and closes it again 2 s later, and it starts
 * closed with 230.0 V on the line.
 */
export function breakerField(unit: number, delayMs = 150) {
  return {
    init: { [unit]: { discrete: { 0: 1 }, input: { 1: 2300 }, holding: { 16: 30 } } },
    links: {
      [unit]: [
        { from: 'coil:0', to: 'discrete:0', delayMs },
        { from: 'coil:1', to: 'discrete:0', delayMs, value: 0 },
        { from: 'coil:1', to: 'discrete:0', delayMs: 2000, value: 1 },
      ],
    },
  };
}
