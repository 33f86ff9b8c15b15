import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runHearth } from '../helpers/hearth-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));

t.test('an invalid config exits 78 and names the path and the rule', async (t) => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'gateway: { id: gw-1 }',
      'buses: [{ id: line1, type: modbus-rtu, port: /dev/ttyUSB0 }]',
      'devices:',
      '  - { id: a, profile: example-smoke-detector, bus: line1, address: 300, location: { room: hall } }',
      '  - { id: b, profile: example-smoke-detector, bus: line2, address: 2, location: { room: hall } }',
      'platform: { url: mqtts://platform.example:8883 }',
    ].join('\n'),
  );
  for (const cmd of [['check', file], ['run', '--config', file]]) {
    const r = await runHearth(cmd);
    t.equal(r.code, 78, `${cmd[0]} exits 78`);
    t.match(r.stderr, /devices\[0\]\.address: must be 1-247, got 300/, `${cmd[0]} names the path`);
  }
  // Semantic errors only show once the schema passes: fix the address and the bus error appears.
  writeFileSync(file, (await import('node:fs')).readFileSync(file, 'utf8').replace('address: 300', 'address: 1'));
  const r = await runHearth(['check', file]);
  t.equal(r.code, 78);
  t.match(r.stderr, /devices\[1\]\.bus: no bus with id 'line2'/);
});

t.test('a missing config file exits 78', async (t) => {
  const r = await runHearth(['run', '--config', join(dir, 'nope.yaml')]);
  t.equal(r.code, 78);
  t.match(r.stderr, /nope\.yaml: cannot read config file \(ENOENT\)/);
});

t.test('the demo and example configs check out and print the plan', async (t) => {
  const demo = await runHearth(['check', 'config/demo.yaml']);
  t.equal(demo.code, 0, demo.stderr);
  t.match(demo.stdout, /smoke-101\s+unit 1/);
  t.match(demo.stdout, /residual_current\s+ir0\s+uint16\s+mA\s+alarm >300/);
  const example = await runHearth(['check', 'config/example.yaml', '--skip-file-checks']);
  t.equal(example.code, 0, example.stderr);
});

t.test('usage errors exit 64; version prints the package version', async (t) => {
  t.equal((await runHearth(['frobnicate'])).code, 64);
  t.equal((await runHearth(['run', '--no-such-flag'])).code, 64);
  const v = await runHearth(['version']);
  t.equal(v.code, 0);
  t.match(v.stdout, /^hearth \d+\.\d+\.\d+/);
});
