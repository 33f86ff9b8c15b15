import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { GW, GatewayUnderAttack } from './attack-harness.js';
import { operator, signedParams } from './signing-fixtures.js';

/**
 * Acceptance: an anonymous client on the platform's broker (no per-topic ACLs) in the attacker's
 * role against a gateway run by the hearth CLI with the ThingsBoard codec and one operator key.
 */
const ops = operator('ops');

t.test('an attacker with publish rights only: nothing unsigned, forged, replayed, stale or locally owned gets through', async (t) => {
  const g = await GatewayUnderAttack.start(ops, '  ratePerMinute: 600');
  t.teardown(() => g.stop());
  const now = () => Date.now();
  const code = async (id: string, method: string, params: Record<string, unknown>) => (await g.command(id, method, params)).code;

  t.equal(await code('1', 'silence_alarm', { eventId: 'x', minutes: 10, ts: now() }), 'unsigned', 'unsigned silence');
  t.equal(await code('2', 'apply_config', { section: 'remote', value: { enabled: true, allow: ['restart'] }, ts: now() }), 'unsigned', 'unsigned config');
  const mallory = operator('ops');
  t.equal(await code('3', 'restart', signedParams(mallory, 'restart', {}, { gw: GW, ts: now() })), 'bad_signature', 'signed by a key claiming the operator id');
  t.equal(await code('4', 'apply_config', signedParams(ops, 'apply_config', { section: 'remote', value: { enabled: true, allow: ['restart'] } }, { gw: GW, ts: now() })), 'config_invalid', 'the remote section, even signed');
  const text = readFileSync(join(g.dir, 'hearth.yaml'), 'utf8');
  const moved = text.replace(join(g.dir, 'state'), join(g.dir, 'fresh-state'));
  const stateDir = await g.command('5', 'apply_config', signedParams(ops, 'apply_config', { config: moved }, { gw: GW, ts: now() }));
  t.equal(stateDir.code, 'config_invalid', 'a new stateDir, even signed');
  t.match(String(stateDir.message), /gateway: owned by the local config/);
  const read = signedParams(ops, 'read_device', {}, { gw: GW, device: 'smoke-1', ts: now() });
  t.equal(await code('6', 'read_device', read), 'ok', 'a signed read runs');
  t.equal(await code('7', 'read_device', read), 'replayed', 'the same signed payload under a new request id');
  t.equal(await code('8', 'signed', read), 'replayed', 'and under the generic name');
  t.equal(await code('9', 'read_device', signedParams(ops, 'read_device', {}, { gw: GW, device: 'smoke-1', ts: now() + 299_000 })), 'stale', '299 s in the future');
  t.equal(await code('10', 'read_device', signedParams(ops, 'read_device', {}, { gw: 'other-gw', device: 'smoke-1', ts: now() })), 'unauthorized', 'signed for another gateway');
  t.equal(readFileSync(join(g.dir, 'hearth.yaml'), 'utf8'), text, 'the config file never changed');
  const audit = readFileSync(join(g.dir, 'state', 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { code: string; by: string });
  t.same(audit.map((a) => a.code), ['unsigned', 'unsigned', 'bad_signature', 'config_invalid', 'config_invalid', 'ok', 'replayed', 'replayed', 'stale', 'unauthorized'], 'each one audited');
  t.match(audit[5], { by: 'platform:thingsboard key ops' });
  t.equal(g.hearth.child.exitCode, null, 'the gateway still runs');
});
