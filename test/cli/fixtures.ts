import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A site for CLI tests: one device of a small meter profile (an offset temperature, a 32-bit leakage
 * current, an alarm bit) on a bus the test chooses. The profile says the leakage current is ABCD;
 * a test that wants the wrong word order makes the slave send CDAB.
 */
export const METER_PROFILE = `model: TEST-METER
kind: residual-current
wordOrder: big
points:
  - { name: cable_temperature, area: input, address: 0, type: int16, scale: 0.1, offset: -40, unit: °C, min: -40, max: 150 }
  - { name: leakage_current, area: input, address: 1, type: float32, unit: mA, min: 0, max: 1000 }
bitFields:
  - area: input
    address: 3
    bits:
      - { bit: 0, name: leakage_alarm, role: alarm }
`;

export interface Site {
  dir: string;
  config: string;
}

export type BusYaml = string;

/** Writes the site into a fresh folder (removed at teardown); `bus` is the YAML flow map of buses[0] without its id. */
export function writeSite(t: { teardown(fn: () => void): void }, bus: BusYaml): Site {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-site-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'profiles'));
  writeFileSync(join(dir, 'profiles', 'test-meter.yaml'), METER_PROFILE);
  const config = join(dir, 'hearth.yaml');
  writeFileSync(
    config,
    `gateway:
  id: cli-site
  location: { building: B, floor: '1', room: plant }
  stateDir: ${join(dir, 'state')}
profilePaths: [${join(dir, 'profiles')}]
buses:
  - { id: line-1, ${bus} }
devices:
  - { id: meter-1, profile: test-meter, bus: line-1, address: 3, location: { building: B, floor: '1', room: plant } }
platform: { url: 'mqtts://platform.example.net:8883' }
api: { enabled: false }
`,
  );
  return { dir, config };
}
