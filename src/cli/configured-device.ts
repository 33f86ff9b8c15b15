import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import { loadConfigWithProfiles } from '../config/load.js';
import { suggest } from '../config/suggest.js';
import type { BusConfig, DeviceConfig, HearthConfig } from '../config/types.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';
import { reportError } from './report-error.js';

export interface ConfiguredDevice {
  config: HearthConfig;
  device: DeviceConfig;
  profile: ModbusProfile;
  busCfg: BusConfig;
  busIndex: number;
}

/**
 * A Modbus device of the configuration, with its profile and bus, for the commands that talk to
 * one device (`hearth read`, `hearth write`). Prints why not (the config's problems, or the ids
 * there are and the closest one) and returns the exit code instead.
 */
export async function configuredDevice(command: string, configPath: string | undefined, deviceId: string): Promise<ConfiguredDevice | number> {
  let loaded;
  try {
    loaded = await loadConfigWithProfiles(configPath ?? DEFAULT_CONFIG, { checkFiles: false });
  } catch (err) {
    return reportError(err);
  }
  const { config, profiles } = loaded;
  const device = config.devices.find((d) => d.id === deviceId);
  if (!device) {
    const ids = config.devices.map((d) => d.id);
    const guess = suggest(deviceId, ids);
    process.stderr.write(`hearth ${command}: no device '${deviceId}' in the configuration (devices: ${ids.join(', ') || 'none'})${guess ? `; did you mean '${guess}'?` : ''}\n`);
    return EXIT_USAGE;
  }
  const busIndex = config.buses.findIndex((b) => b.id === device.bus);
  const busCfg = config.buses[busIndex];
  const profile = profiles.get(device.id);
  if (!busCfg || !profile) {
    process.stderr.write(`hearth ${command}: device '${deviceId}': bus or profile missing after validation\n`);
    return EXIT_FAILURE;
  }
  return { config, device, profile, busCfg, busIndex };
}
