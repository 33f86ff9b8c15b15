import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { breakerField } from '../commands/field.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { repoPath } from '../helpers/repo.js';

/** A site with the example smart leakage breaker at unit 4 of a Modbus TCP line, served by pymodbus. */
async function breakerSite(t: { teardown(fn: () => unknown): void }) {
  const port = await freePort();
  const server = await startPymodbus({ mode: 'tcp', port, units: [4], ...breakerField(4) });
  t.teardown(() => server.stop());
  const dir = mkdtempSync(join(tmpdir(), 'hearth-write-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'state'));
  const config = join(dir, 'hearth.yaml');
  writeFileSync(
    config,
    `gateway: { id: write-site, location: { building: B, floor: '1', room: hall }, stateDir: ${join(dir, 'state')} }
profilePaths: [${repoPath('drivers/modbus/profiles')}]
buses:
  - { id: line-1, type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 500, retries: 0 }
devices:
  - { id: breaker-1, profile: example-smart-leakage-breaker, bus: line-1, address: 4, location: { building: B, floor: '1', room: hall } }
platform: { url: 'mqtts://platform.example.net:8883' }
api: { enabled: false }
`,
  );
  const audit = () => readFileSync(join(dir, 'state', 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { config, server, audit };
}

t.test('hearth write: list, trip (confirmed), close only with --confirm, parameters checked, audited', async (t) => {
  const site = await breakerSite(t);
  const list = await runHearth(['write', 'breaker-1', '--config', site.config]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^  trip  Open the breaker .*\[rules may run it, read-back breaker_closed\]$/m);
  t.match(list.stdout, /^  close  .*\[needs --confirm, read-back breaker_closed\]$/m);
  t.match(list.stdout, /^  set_leakage_setting milliamps=10\.\.100 mA/m);

  const trip = await runHearth(['write', 'breaker-1', 'trip', '--config', site.config]);
  t.equal(trip.code, 0, trip.stderr);
  t.match(trip.stdout, /^breaker-1 trip: confirmed in \d+ ms \(breaker_closed = false\)$/m);

  const unconfirmed = await runHearth(['write', 'breaker-1', 'close', '--config', site.config]);
  t.equal(unconfirmed.code, 64);
  t.match(unconfirmed.stderr, /close is safety-relevant: a person must confirm it \(add --confirm\)/);

  const close = await runHearth(['write', 'breaker-1', 'close', '--confirm', '--config', site.config, '--json']);
  t.equal(close.code, 0, close.stderr);
  t.match(JSON.parse(close.stdout), { device: 'breaker-1', command: 'close', result: 'confirmed', readBack: { point: 'breaker_closed', value: true } });

  const [bad, typo, pair] = await Promise.all([
    runHearth(['write', 'breaker-1', 'set_leakage_setting', 'milliamps=500', '--config', site.config]),
    runHearth(['write', 'breaker-1', 'trp', '--config', site.config]),
    runHearth(['write', 'breaker-1', 'set_leakage_setting', '25', '--config', site.config]),
  ]);
  t.equal(bad.code, 64);
  t.match(bad.stderr, /'milliamps' must be 10-100 mA, got 500/);
  t.equal(typo.code, 64);
  t.match(typo.stderr, /no command 'trp' .*did you mean 'trip'\?/);
  t.equal(pair.code, 64);
  t.match(pair.stderr, /parameters are NAME=VALUE, got '25'/);

  await site.server.command('unlink 4');
  const stuck = await runHearth(['write', 'breaker-1', 'trip', '--config', site.config]);
  t.equal(stuck.code, 1, 'written but not confirmed: exit 1');
  t.match(stuck.stdout, /trip: not confirmed in \d+ ms .*\n  breaker_closed shows true after 3000 ms, expected false/);

  const entries = site.audit();
  t.same(entries.map((e) => [e.command, e.outcome, e.code, e.device, e.via]), [
    ['write trip', 'done', 'CONFIRMED', 'breaker-1', 'cli'],
    ['write close', 'done', 'CONFIRMED', 'breaker-1', 'cli'],
    ['write trip', 'failed', 'NOT_CONFIRMED', 'breaker-1', 'cli'],
  ], 'every run that reached the device is audited with its outcome; refusals before it are not runs');
  t.match(entries[0]!.params, { readBack: { point: 'breaker_closed', value: false } });
});
