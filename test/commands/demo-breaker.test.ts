import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { CommandRefusedError } from '../../src/devices/command-policy.js';
import { silentLogger } from '../../src/log/logger.js';
import { demoCopy } from '../helpers/demo-config.js';
import { waitFor } from '../helpers/net.js';

/**
 * The demo as shipped (ports moved aside): the electrical fire detector's alarm (~9 s into its
 * cycle) trips the smart leakage breaker through the demo's rule, confirmed by the breaker's
 * contact; closing it again is refused without a person's confirmation and done with it; the
 * leakage self-test runs on demand, trips and the breaker closes itself again. All audited.
 */
t.test('demo: an electrical-fire alarm trips the breaker; a person closes it; the self-test runs on demand', { timeout: 90_000 }, async (t) => {
  const demo = await demoCopy((c) => {
    c.log = { level: 'error', format: 'json' };
    c.api.enabled = false;
  });
  t.teardown(() => rmSync(demo.dir, { recursive: true, force: true }));
  const { config, profiles } = await loadConfigWithProfiles(demo.file);
  const daemon = new Daemon({ config, profiles, logger: silentLogger() });
  t.teardown(() => daemon.stop());
  await daemon.start();
  const breaker = () => daemon.device('breaker-1')?.latest('breaker_closed')?.value;
  await waitFor(() => breaker() === true, 10_000);
  t.equal(breaker(), true, 'the breaker starts closed');

  await waitFor(() => breaker() === false, 30_000);
  t.equal(breaker(), false, 'tripped after the electrical fire alarm');
  const auditFile = join(config.gateway.stateDir, 'remote-audit.jsonl');
  const audit = () =>
    existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>) : []; // eslint-disable-line @typescript-eslint/no-explicit-any
  // The detector raises two alarms a cycle (its alarm bit, then its threshold after the on-delay):
  // each trips the breaker; close it after both.
  await waitFor(() => audit().filter((e) => e.command === 'device trip').length >= 2, 20_000);
  const trip = audit().find((e) => e.command === 'device trip')!;
  t.match(trip, { by: 'rule:trip-on-electrical-fire', via: 'rule', device: 'breaker-1', outcome: 'done', code: 'CONFIRMED', params: { readBack: { point: 'breaker_closed', value: false } } });

  await t.rejects(daemon.commands.run('breaker-1', 'close', {}, { via: 'console', by: 'installer-ann' }), CommandRefusedError, 'close needs a confirmation');
  const close = await daemon.commands.run('breaker-1', 'close', {}, { via: 'console', by: 'installer-ann', confirmed: true });
  t.match(close, { device: 'breaker-1', result: 'confirmed', readBack: { value: true } }, 'closed after confirming');

  const test = await daemon.commands.run('breaker-1', 'self_test', {}, { via: 'console', by: 'installer-ann' });
  t.match(test, { result: 'confirmed', readBack: { value: false } }, 'the leakage test trips it');
  await waitFor(() => breaker() === true, 15_000);
  t.equal(breaker(), true, 'and it closed again by itself');
  t.match(audit().filter((e) => e.by === 'installer-ann').map((e) => [e.command, e.code, e.params.confirmed ?? false]), [
    ['device close', 'CONFIRMED', true],
    ['device self_test', 'CONFIRMED', false],
  ]);
});
