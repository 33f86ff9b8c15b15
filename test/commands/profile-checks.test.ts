import t from 'tap';
import { checkProfile } from '../../drivers/modbus/profile-checks.js';
import type { ModbusProfile } from '../../drivers/modbus/profile-types.js';
import { breakerProfile } from './field.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import { repoPath } from '../helpers/repo.js';

/** Findings for the breaker profile with its commands replaced. */
function findings(commands: unknown[]): string[] {
  const p = { ...breakerProfile(), commands } as ModbusProfile;
  return checkProfile(p, {}).map((f) => `${f.segments.join('.')}: ${f.message}`);
}

const cmd = (over: Record<string, unknown>) => ({ name: 'x', params: [], safety: false, fromRules: false, idempotent: false, urgent: false, write: { area: 'coil', address: 0, value: true }, ...over });

t.test('the shipped example breaker profile passes', async (t) => {
  t.same(checkProfile(breakerProfile(), {}), []);
  t.same(breakerProfile().commands.map((c) => c.name), ['trip', 'close', 'self_test', 'reset_alarm', 'set_leakage_setting']);
});

t.test('the shipped example smoke detector has its reset and sounder silence, both for a person only', async (t) => {
  const p = loadProfileSync(repoPath('drivers/modbus/profiles/example-smoke-detector.yaml'));
  t.same(checkProfile(p, {}), []);
  t.same(p.commands.map((c) => [c.name, c.safety, c.fromRules, c.confirm?.point]), [
    ['reset_alarm', true, false, 'fire_alarm'],
    ['silence_sounder', true, false, undefined],
  ]);
});

t.test('commands that cannot work are refused with the path inside the profile', async (t) => {
  t.match(findings([cmd({ safety: true, fromRules: true })]), ['commands.0.fromRules: a safety-relevant command needs a person to confirm it: no rule may run it']);
  t.match(findings([cmd({ write: { area: 'coil', address: 0 } })]), ['commands.0.write: set exactly one of value, values or param']);
  t.match(findings([cmd({ write: { area: 'coil', address: 0, value: 1 } })]), [/commands.0.write.value: must be true or false/]);
  t.match(findings([cmd({ write: { area: 'holding', address: 0, value: 70000 } })]), [/commands.0.write.value: must be an integer 0-65535/]);
  t.match(findings([cmd({ write: { area: 'holding', address: 0, value: 1, function: 5 } })]), [/commands.0.write.function: function 5 writes coils, not the holding area/]);
  t.match(findings([cmd({ write: { area: 'holding', address: 0, values: [1, 2], function: 6 } })]), [/function 6 writes one value; use 16/]);
  t.match(findings([cmd({ confirm: { point: 'nowhere', equals: true, withinMs: 1000 } })]), [/commands.0.confirm.point: no point or bit 'nowhere'/]);
  t.match(findings([cmd({ confirm: { point: 'breaker_closed', equals: 3, withinMs: 1000 } })]), [/commands.0.confirm.equals: 'breaker_closed' is a boolean, got 3/]);
  t.match(findings([cmd({ write: { area: 'holding', address: 0, param: 'p' } })]), [/commands.0.write.param: no parameter 'p'/]);
  t.match(findings([cmd({ params: [{ name: 'q', min: 1, max: 2 }] })]), [/commands.0.params.0: parameter 'q' is not written/]);
  t.match(findings([cmd({}), cmd({})]), [/commands.1.name: duplicate command name 'x'/]);
});
