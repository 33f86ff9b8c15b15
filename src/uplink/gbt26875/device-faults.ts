import { deviceStatus, type DeviceStatus } from './flags.js';

/**
 * The transmission device's own state (§8.2.1.8 figure 13) from the gateway's faults: hearth is the
 * user information transmission device, and its faults (src/faults/gateway-faults.ts) are keyed.
 * Every fault sets `fault` (bit 2); a key that names what figure 13 has a bit for sets that bit too:
 *
 *   alarm-receipt, uplink…, gbt26875…   communicationFault   (bit 5, channel to the centre)
 *   gpio…, bus…                         monitoringLinkFault  (bit 6, the lines to the monitored facilities)
 *   power:main, mains…                  mainPowerFault       (bit 3)
 *   power:backup, battery…              backupPowerFault     (bit 4)
 *
 * Everything else (storage, state files, outputs, the console) is `fault` alone.
 */
const KEY_FLAGS: readonly [RegExp, keyof DeviceStatus][] = [
  [/^(alarm-receipt|uplink|gbt26875)/, 'communicationFault'],
  [/^(gpio|bus)/, 'monitoringLinkFault'],
  [/^(power:main|mains)/, 'mainPowerFault'],
  [/^(power:backup|battery)/, 'backupPowerFault'],
];

/** The flag a fault key sets besides `fault`, if figure 13 has one for it. */
export function deviceFlagForFault(key: string): keyof DeviceStatus | undefined {
  return KEY_FLAGS.find(([pattern]) => pattern.test(key))?.[1];
}

/** The device state while the faults `keys` are raised; `fire` while any fire alarm is. */
export function deviceStatusOf(keys: readonly string[], fire = false): DeviceStatus {
  const status = deviceStatus({ fire, fault: keys.length > 0 });
  for (const key of keys) {
    const flag = deviceFlagForFault(key);
    if (flag !== undefined) status[flag] = true;
  }
  return status;
}
