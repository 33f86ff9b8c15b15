import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { describePlan } from '../../src/cli/plan/plan.js';
import { BASE, issueLines } from '../config/helpers.js';
import { repoPath } from '../helpers/repo.js';

const IO = `
gpio:
  backend: sim
  inputs:
    - { id: relay-1, pin: 17, location: { room: boiler } }
  outputs:
    - { name: siren, pin: 22 }
tags:
  groups: { ebikes: ['0EB1CE0001'] }
  readers:
    - { id: lift, protocol: rdm6300, tcp: '127.0.0.1:15031', deny: { groups: [ebikes] }, location: { floor: 1 } }
actions:
  - name: ebike
    when: { kinds: [alarm], devices: [lift] }
    do: [{ output: siren, mode: pattern, pattern: [200, 200] }]
`;

t.test('demo config loads with gpio, tags and actions, and check prints them', async (t) => {
  const { config, profiles } = await loadConfigWithProfiles(repoPath('config/demo.yaml'));
  t.equal(config.gpio?.backend, 'sim');
  t.equal(config.gpio?.inputs[0]?.contact, 'NO');
  t.equal(config.gpio?.inputs[0]?.debounceMs, 50);
  t.equal(config.gpio?.outputs[0]?.safeState, 'off');
  t.equal(config.tags?.readers[0]?.absenceMs, 1500);
  t.same(config.tags?.readers[0]?.deny, { groups: ['ebikes'], tags: [] });
  t.equal(config.actions?.[0]?.untilRestore, true);
  t.equal(config.demo?.contacts?.scenario, 'alarm-cycle');
  const plan = describePlan(config, profiles);
  t.match(plan, /gpio sim/);
  t.match(plan, /smoke-boiler-relay\s+BCM 17 NO pull-up, debounce 50 ms\s+fire_alarm alarm/);
  t.match(plan, /elevator-reader\s+rdm6300 tcp 127\.0\.0\.1:15031/);
  t.match(plan, /ebike-at-elevator: alarm from elevator-reader → elevator-block on 30 s, siren-hall pattern 200\/200\/200\/1000 for 10 s/);
});

t.test('a valid io config loads; floors become text', async (t) => {
  t.same(issueLines(BASE + IO), []);
});

t.test('cross-checks name the path and the fix', async (t) => {
  const bad = BASE + IO.replace("output: siren, mode", "output: sirne, mode").replace('{ name: siren, pin: 22 }', '{ name: siren, pin: 17 }');
  const lines = issueLines(bad);
  t.ok(lines.some((l) => l.includes('gpio.outputs[0].pin') && l.includes('BCM 17 is already used by gpio.inputs[0]')), lines.join('\n'));
  t.ok(lines.some((l) => l.includes('actions[0].do[0].output') && l.includes("no output named 'sirne'") && l.includes("did you mean 'siren'")), lines.join('\n'));

  const groups = issueLines(BASE + IO.replace('groups: [ebikes]', 'groups: [ebike]'));
  t.ok(groups.some((l) => l.includes('tags.readers[0].deny.groups[0]') && l.includes("did you mean 'ebikes'")), groups.join('\n'));

  const ids = issueLines(BASE + IO.replace('id: relay-1', 'id: smoke-1'));
  t.ok(ids.some((l) => l.includes('gpio.inputs[0].id') && l.includes('devices[0]')), ids.join('\n'));

  const odd = issueLines(BASE + IO.replace('pattern: [200, 200]', 'pattern: [200, 200, 300]'));
  t.ok(odd.some((l) => l.includes('actions[0].do[0].pattern') && l.includes('even')), odd.join('\n'));

  const both = issueLines(BASE + IO.replace('pin: 17,', 'pin: 17, line: GPIO17,'));
  t.ok(both.some((l) => l.includes('gpio.inputs[0].line: set either pin or line, not both')), both.join('\n'));

  const regex = issueLines(BASE + IO.replace('protocol: rdm6300,', "protocol: ascii-line, pattern: 'a(b',"));
  t.ok(regex.some((l) => l.includes('tags.readers[0].pattern') && l.includes('regular expression')), regex.join('\n'));
});
