import type { Finding } from './finding.js';
import type { DeviceProfiles } from './profiles.js';
import { suggest } from './suggest.js';
import type { HearthConfig } from './types.js';

/**
 * The device commands local rules name: a Modbus device whose profile has that command, marked
 * for rules. Checked after the profiles are loaded (the commands live there); a rule with nothing
 * to do is an error too.
 */
export function checkRuleCommands(config: HearthConfig, profiles: DeviceProfiles): Finding[] {
  const findings: Finding[] = [];
  (config.actions ?? []).forEach((rule, n) => {
    if (rule.do.length === 0 && rule.commands.length === 0) findings.push({ segments: ['actions', n], message: 'the rule does nothing: give do (outputs) or commands' });
    rule.commands.forEach((step, k) => {
      const at = ['actions', n, 'commands', k];
      const profile = profiles.get(step.device);
      if (profile === undefined) {
        const ids = config.devices.map((d) => d.id);
        const close = suggest(step.device, ids);
        findings.push({ segments: [...at, 'device'], message: `no Modbus device '${step.device}'${close ? ` (did you mean '${close}'?)` : ''}` });
        return;
      }
      const cmd = profile.commands.find((c) => c.name === step.command);
      if (cmd === undefined) {
        const names = profile.commands.map((c) => c.name);
        findings.push({ segments: [...at, 'command'], message: `profile '${profile.name}' has no command '${step.command}' (commands: ${names.join(', ') || 'none'})` });
      } else if (!cmd.fromRules || cmd.safety) {
        findings.push({ segments: [...at, 'command'], message: `'${step.command}' of profile '${profile.name}' is not for rules (${cmd.safety ? 'safety-relevant: a person confirms it' : 'the profile does not mark it fromRules'})` });
      }
    });
  });
  return findings;
}
