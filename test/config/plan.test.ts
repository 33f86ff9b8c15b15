import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { describePlan } from '../../src/cli/plan/plan.js';
import { repoPath } from '../helpers/repo.js';

const sample = repoPath('drivers/modbus/sample.yaml');

t.test('the plan lists buses, devices, points and effective thresholds', async (t) => {
  const { config, profiles } = await loadConfigWithProfiles(sample);
  const plan = describePlan(config, profiles);
  const lines = plan.split('\n');
  t.ok(lines.includes('bus rs485-1: RTU /dev/ttyUSB0 9600 8N1'));
  t.ok(lines.includes('  timeout 300 ms, 1 retry'));
  t.ok(lines.includes('  smoke-stairwell-1  unit 1, every 1 s'));
  t.ok(lines.includes('    where: Sample House / floor 1 / stairwell'));
  t.ok(lines.includes('    profile: example-smoke-detector (smoke, EXAMPLE map), 2 requests/poll'));
  t.ok(lines.includes('    smoke_density         ir0    uint16×0.001 dB/m alarm >0.15 (hyst 0.03, 2 s) fire'));
  t.ok(lines.includes('    fire_alarm            ir4.0  bit               alarm fire'));
  t.ok(lines.includes('    head_removed          ir4.3  bit               tamper'));
  // The per-device override (500 mA) is shown and marked; the rest comes from the profile.
  t.ok(lines.includes('    residual_current         ir0    uint16       mA   alarm >500* (hyst 30, 3 s) critical'));
  t.ok(lines.includes('    load_current             ir6    float32 CDAB A'));
  t.match(plan, /warnings:\n {2}! profile 'example-smoke-detector' \(EXAMPLE-PSD-485\) is an EXAMPLE register map/);
  t.equal(plan.endsWith('\n'), true);
});
