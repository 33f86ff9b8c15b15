import { readFileSync } from 'node:fs';
import t from 'tap';
import { ConfigError } from '../../src/config/errors.js';
import { loadProfile, loadProfileSync, parseProfile, profileWarnings, shippedProfileDir } from './profile.js';
import { profilePointSpecs } from './profile-points.js';
import { repoPath } from '../../test/helpers/repo.js';

const problems = (text: string): string[] => {
  try {
    parseProfile(text, '/p/acme.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.lines();
    throw err;
  }
};
const HEAD = 'model: A1\nkind: smoke\n';

t.test('both shipped profiles load and are marked as examples', async (t) => {
  for (const name of ['example-smoke-detector', 'example-residual-current-detector']) {
    const p = await loadProfile(`${shippedProfileDir()}/${name}.yaml`);
    t.equal(p.name, name);
    t.equal(p.example, true);
    t.match(profileWarnings(p)[0], /is an EXAMPLE register map/);
    t.match(readFileSync(`${shippedProfileDir()}/${name}.yaml`, 'utf8'), /# EXAMPLE register map\.[\s\S]*vendor's manual/);
  }
});

t.test('the smoke detector profile as points', async (t) => {
  const p = loadProfileSync(`${shippedProfileDir()}/example-smoke-detector.yaml`);
  const specs = profilePointSpecs(p);
  t.same(specs.find((s) => s.name === 'smoke_density'), {
    name: 'smoke_density',
    type: 'number',
    unit: 'dB/m',
    scale: 0.001,
    min: 0,
    max: 2,
    thresholds: { high: 0.15, hysteresis: 0.03, onDelayMs: 2000, severity: 'fire' },
    deadband: 0.01,
    maxSilenceMs: 900000,
    description: 'Smoke density measured in the optical chamber.',
    label: 'Smoke density',
  });
  t.same(specs.find((s) => s.name === 'fire_alarm'), { name: 'fire_alarm', type: 'boolean', role: 'alarm', severity: 'fire', description: 'Detector in fire alarm', label: 'Fire alarm' });
  t.same(specs.find((s) => s.name === 'head_removed')?.role, 'tamper');
  t.same(specs.find((s) => s.name === 'sensor_fault')?.role, 'fault');
});

t.test('the residual current profile: 300 mA default alarm, temperatures, open-circuit bits', async (t) => {
  const p = loadProfileSync(`${shippedProfileDir()}/example-residual-current-detector.yaml`);
  const specs = profilePointSpecs(p);
  t.same(specs.find((s) => s.name === 'residual_current')?.thresholds, { high: 300, hysteresis: 30, onDelayMs: 3000, severity: 'critical' });
  t.equal(specs.filter((s) => s.name.startsWith('cable_temperature_') && s.unit === '°C' && s.thresholds?.high !== undefined).length, 4);
  t.ok(specs.some((s) => s.name === 'current_sensor_open' && s.role === 'fault'));
  t.equal(p.points.find((x) => x.name === 'load_current')?.wordOrder, 'little');
  t.equal(p.points.find((x) => x.name === 'residual_current')?.wordOrder, 'big', 'inherits the profile order');
});

t.test('schema errors read as path: message', async (t) => {
  t.same(problems('model: A1\n'), ["(root): missing required key 'kind'"]);
  t.same(problems(`${HEAD}points:\n  - { name: d, area: input, adress: 0, type: uint16 }\n`), [
    "points[0]: missing required key 'address'",
    "points[0]: unknown key 'adress' (did you mean 'address'?)",
  ]);
  t.same(problems(`${HEAD}points:\n  - { name: d, area: inputs, address: 70000, type: uint16 }\n`), [
    "points[0].area: must be one of holding, input, coil, discrete, got 'inputs'",
    'points[0].address: must be 0-65535, got 70000',
  ]);
  t.same(problems(`${HEAD}bitFields:\n  - { area: input, address: 4, bits: [{ bit: 16, name: x, role: alarm }] }\n`), ['bitFields[0].bits[0].bit: must be 0-15, got 16']);
  t.same(problems(`${HEAD}bitFields:\n  - { area: input, address: 4, bits: [{ bit: 1, name: x, role: alarmed }] }\n`), [
    "bitFields[0].bits[0].role: must be one of value, alarm, fault, tamper, got 'alarmed'",
  ]);
  t.same(problems(`${HEAD}points: [\n`).length, 1);
});

t.test('semantic errors', async (t) => {
  const pt = (s: string) => `${HEAD}points:\n  - { name: d, area: input, address: 0, ${s} }\n`;
  t.same(problems(HEAD), ['points: the profile defines no points and no bitFields']);
  t.same(problems(pt('type: uint16, role: alarm')), ["points[0].role: applies to bool points only; 'd' is uint16"]);
  t.same(problems(pt('type: bool, scale: 2')), ["points[0].scale: applies to numeric points only; 'd' is bool"]);
  t.same(problems(pt('type: uint16, wordOrder: little')), ["points[0].wordOrder: applies to 32-bit types only (int32, uint32, float32), got 'uint16'"]);
  t.same(problems(pt('type: uint16, scale: 0')), ['points[0].scale: must not be 0']);
  t.same(problems(pt('type: uint16, min: 5, max: 5')), ['points[0].max: must be greater than min (5), got 5']);
  t.same(problems(pt('type: uint16, thresholds: { high: 1, low: 2 }')), ['points[0].thresholds: low (2) must be below high (1)']);
  t.same(problems(pt('type: uint16, thresholds: { hysteresis: 1 }')), ['points[0].thresholds: must set high or low']);
  t.same(problems(`${HEAD}points:\n  - { name: d, area: coil, address: 0, type: uint16 }\n`), ["points[0].type: must be bool for a coil (one bit), got 'uint16'"]);
  t.same(problems(`${HEAD}points:\n  - { name: d, area: holding, address: 65535, type: float32 }\n`), ['points[0].address: a float32 needs two registers: must be 0-65534, got 65535']);
  t.same(problems(pt('type: bool, role: tamper, severity: fire')), ['points[0].severity: only alarm and fault points raise events with a severity (role is tamper)']);
  t.same(
    problems(`${HEAD}points:\n  - { name: x, area: input, address: 0, type: uint16 }\nbitFields:\n  - { area: input, address: 1, bits: [{ bit: 0, name: x, role: alarm }, { bit: 0, name: y, role: fault }] }\n`),
    ["bitFields[0].bits[0].name: duplicate point name 'x' (also points[0])", "bitFields[0].bits[1].bit: bit 0 is already named by bits[0] ('x')"],
  );
});

t.test('errors carry the line of the offending key', async (t) => {
  const err = t.throws(() => parseProfile(`${HEAD}points:\n  - name: d\n    area: input\n    address: 0\n    type: uint16\n    scale: 0\n`, '/p/a.yaml')) as unknown as ConfigError;
  t.same(err.issues, [{ path: 'points[0].scale', message: 'must not be 0', line: 8 }]);
});

t.test('an unreadable profile file', async (t) => {
  t.throws(() => loadProfileSync('/nonexistent/x.yaml'), { message: '/nonexistent/x.yaml: cannot read profile file (ENOENT)' });
});

t.test('the worked example in README.md is a valid profile', async (t) => {
  const readme = readFileSync(repoPath('drivers/modbus/README.md'), 'utf8');
  const block = /```yaml\n(# yaml-language-server[^\n]*\nmodel: RCM-200[\s\S]*?)```/.exec(readme)?.[1];
  t.ok(block, 'found the worked example');
  const p = parseProfile(block!, '/etc/hearth/profiles/acme-rcm-200.yaml');
  t.equal(p.name, 'acme-rcm-200');
  t.same(p.points.map((x) => [x.name, x.address, x.type, x.wordOrder]).at(-1), ['active_energy', 10, 'uint32', 'little']);
});

t.test('the command example from a vendor table in README.md is valid: function 16 blocks, read back on a status bit', async (t) => {
  const readme = readFileSync(repoPath('drivers/modbus/README.md'), 'utf8');
  const block = /```yaml\n(bitFields:\n  - area: holding\n    address: 562[\s\S]*?)```/.exec(readme)?.[1];
  t.ok(block, 'found the example');
  const p = parseProfile(`model: NSX\nkind: breaker\n${block!}`, '/etc/hearth/profiles/nsx.yaml');
  t.same(p.commands.map((c) => [c.name, c.write.address, c.write.values?.[0], c.write.function, c.safety]), [
    ['trip', 7999, 904, 16, false],
    ['close', 7999, 905, 16, true],
  ]);
});
