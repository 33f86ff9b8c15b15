import type { Finding } from './finding.js';
import type { DeviceProfiles } from './profiles.js';
import { suggest } from './suggest.js';
import type { HearthConfig } from './types.js';

/**
 * The device commands that run with no person there, from local rules and maintenance schedules: a
 * Modbus device whose profile has that command, marked fromRules. Checked after the profiles are
 * loaded (the commands live there); a rule with nothing to do is an error too.
 */
export function checkRuleCommands(config: HearthConfig, profiles: DeviceProfiles): Finding[] {
  const findings: Finding[] = [];
  (config.actions ?? []).forEach((rule, n) => {
    if (rule.do.length === 0 && rule.commands.length === 0) findings.push({ segments: ['actions', n], message: 'the rule does nothing: give do (outputs) or commands' });
    rule.commands.forEach((step, k) => findings.push(...checkUnattended(config, profiles, step, ['actions', n, 'commands', k])));
  });
  const names = new Set<string>();
  (config.maintenance ?? []).forEach((task, n) => {
    const at = ['maintenance', n];
    if (names.has(task.name)) findings.push({ segments: [...at, 'name'], message: `duplicate task name '${task.name}'` });
    names.add(task.name);
    if (task.every === 'week' && task.day !== undefined && task.day > 6) findings.push({ segments: [...at, 'day'], message: `a weekday is 0 (Sunday) to 6, got ${task.day}` });
    if (task.every === 'month' && task.day === 0) findings.push({ segments: [...at, 'day'], message: 'a day of the month is 1 to 28' });
    if (task.every === 'day' && task.day !== undefined) findings.push({ segments: [...at, 'day'], message: 'a daily task has no day' });
    findings.push(...checkUnattended(config, profiles, task, at));
  });
  return findings;
}

/** A command run with no person there (a rule, a schedule): a device with that command, marked fromRules, not safety. */
function checkUnattended(config: HearthConfig, profiles: DeviceProfiles, step: { device: string; command: string }, at: (string | number)[]): Finding[] {
  const profile = profiles.get(step.device);
  if (profile === undefined) {
    const close = suggest(step.device, config.devices.map((d) => d.id));
    return [{ segments: [...at, 'device'], message: `no Modbus device '${step.device}'${close ? ` (did you mean '${close}'?)` : ''}` }];
  }
  const cmd = profile.commands.find((c) => c.name === step.command);
  if (cmd === undefined) {
    const names = profile.commands.map((c) => c.name);
    return [{ segments: [...at, 'command'], message: `profile '${profile.name}' has no command '${step.command}' (commands: ${names.join(', ') || 'none'})` }];
  }
  if (!cmd.fromRules || cmd.safety) {
    const why = cmd.safety ? 'safety-relevant: a person confirms it' : 'the profile does not mark it fromRules';
    return [{ segments: [...at, 'command'], message: `'${step.command}' of profile '${profile.name}' cannot run unattended (${why})` }];
  }
  return [];
}
