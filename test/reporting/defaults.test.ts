import t from 'tap';
import { profilePointSpecs } from '../../drivers/modbus/profile-points.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import type { Reading } from '../../src/model/reading.js';
import { DEFAULT_STATE_MAX_SILENCE_MS, DEFAULT_VALUE_MAX_SILENCE_MS, reportingFor } from '../../src/reporting/defaults.js';
import { ReportByException } from '../../src/reporting/exception-filter.js';
import { reading } from '../outbox/fixtures.js';
import { repoPath } from '../helpers/repo.js';

t.test('defaults: booleans and text on change with an hourly heartbeat, numbers on any change with a 15 min one; own settings win', async (t) => {
  t.same(reportingFor({ type: 'boolean' }), { deadband: 0, maxSilenceMs: DEFAULT_STATE_MAX_SILENCE_MS });
  t.same(reportingFor({ type: 'string' }), { deadband: 0, maxSilenceMs: DEFAULT_STATE_MAX_SILENCE_MS });
  t.same(reportingFor({ type: 'number' }), { deadband: 0, maxSilenceMs: DEFAULT_VALUE_MAX_SILENCE_MS });
  t.same(reportingFor({ type: 'boolean', maxSilenceMs: 60_000 }), { deadband: 0, maxSilenceMs: 60_000 });
  t.same(reportingFor({ type: 'number', deadband: 5 }), { deadband: 5, maxSilenceMs: DEFAULT_VALUE_MAX_SILENCE_MS });
  t.equal(DEFAULT_STATE_MAX_SILENCE_MS, 3_600_000);
  t.equal(DEFAULT_VALUE_MAX_SILENCE_MS, 900_000);
});

t.test('a status bit polled every second for an hour: sent on its changes and once an hour, not 3,600 times', async (t) => {
  const out: Reading[] = [];
  const filter = new ReportByException({ reading: (r) => void out.push(r) });
  filter.addDevice('smoke-1', [{ name: 'fire_alarm', type: 'boolean' }]);
  for (let s = 0; s <= 7200; s++) filter.reading(reading(s + 1, { deviceId: 'smoke-1', point: 'fire_alarm', value: s >= 1000 && s < 1012, mono: s * 1000 }));
  t.same(
    out.map((r) => [r.mono / 1000, r.value]),
    [[0, false], [1000, true], [1012, false], [4612, false]],
    'first reading, the change, the change back, the heartbeat an hour after the last one sent',
  );
});

t.test('the shipped profiles: every analogue point has a deadband and a heartbeat; bits fall back to the defaults', async (t) => {
  for (const name of ['example-smoke-detector', 'example-residual-current-detector']) {
    const url = repoPath(`drivers/modbus/profiles/${name}.yaml`);
    const points = profilePointSpecs(loadProfileSync(url));
    for (const p of points.filter((p) => p.type === 'number' && p.name !== 'device_alarm_setting')) {
      t.ok(p.deadband !== undefined && p.deadband > 0, `${name} ${p.name}: deadband ${p.deadband}`);
      t.ok(p.maxSilenceMs !== undefined && p.maxSilenceMs >= 900_000, `${name} ${p.name}: heartbeat ${p.maxSilenceMs}`);
    }
    for (const p of points.filter((p) => p.type === 'boolean')) {
      t.equal(reportingFor(p).maxSilenceMs, DEFAULT_STATE_MAX_SILENCE_MS, `${name} ${p.name}: on change, hourly`);
    }
  }
});
