import { loadProfileSync } from '../../drivers/modbus/profile.js';
import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import { repoPath } from '../helpers/repo.js';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import type { DeviceConfig } from '../../src/config/types.js';
import { DeviceCommands, type CommandAuditRecord } from '../../src/devices/device-commands.js';
import { silentLogger } from '../../src/log/logger.js';
import { attachBreakerMechanics } from '../../src/sim/breaker-mechanics.js';

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

/**
 * The gateway's device commands over a simulated line with the demo breaker's mechanics (its
 * contact moves 300 ms after a write) at unit 1 as `breaker-1`. Closed at teardown.
 */
export async function simulatedBreaker(t: { teardown(fn: () => unknown): void }, audit: (r: CommandAuditRecord) => void, now: () => number) {
  const map = new RegisterMap();
  map.addUnit(1);
  t.teardown(attachBreakerMechanics(map, 1));
  const bus = createSimBus({ id: 'line', map, timeoutMs: 200 });
  await bus.open();
  t.teardown(() => bus.close());
  const commands = new DeviceCommands({
    devices: [{ id: 'breaker-1', bus: 'line', address: 1, enabled: true, location: { building: 'B' } } as unknown as DeviceConfig],
    profiles: new Map([['breaker-1', breakerProfile()]]),
    bus: () => bus,
    audit,
    logger: silentLogger(),
    now,
    readBackEveryMs: 50,
  });
  return { map, bus, commands };
}
