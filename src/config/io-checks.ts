import type { Finding } from './finding.js';
import { suggest } from './suggest.js';
import type { HearthConfig } from './types.js';

/**
 * Cross-checks of the gpio, tags and actions sections that the schema cannot express: names that
 * must resolve (outputs, groups, device ids), lines claimed twice, ids shared with other devices,
 * regexes that do not compile.
 */
export function checkIo(config: HearthConfig): Finding[] {
  return [...checkLines(config), ...checkIds(config), ...checkTags(config), ...checkActions(config)];
}

function lineKey(x: { pin?: number; line?: string }): string {
  return x.pin !== undefined ? `BCM ${x.pin}` : `line "${x.line}"`;
}

/** Exactly one of two alternative keys (the schema's oneOf would give an unreadable message). */
function exactlyOne(x: object, a: string, b: string, segments: (string | number)[], what: string): Finding[] {
  const has = (k: string) => (x as Record<string, unknown>)[k] !== undefined;
  if (has(a) && has(b)) return [{ segments: [...segments, b], message: `set either ${a} or ${b}, not both` }];
  if (!has(a) && !has(b)) return [{ segments, message: `set ${what}` }];
  return [];
}

function checkLines(config: HearthConfig): Finding[] {
  const findings: Finding[] = [];
  config.gpio?.inputs.forEach((i, n) => findings.push(...exactlyOne(i, 'pin', 'line', ['gpio', 'inputs', n], 'pin (BCM number) or line (line name)')));
  config.gpio?.outputs.forEach((o, n) => findings.push(...exactlyOne(o, 'pin', 'line', ['gpio', 'outputs', n], 'pin (BCM number) or line (line name)')));
  config.tags?.readers.forEach((r, n) => findings.push(...exactlyOne(r, 'port', 'tcp', ['tags', 'readers', n], 'port (serial device) or tcp (host:port)')));
  const taken = new Map<string, string>();
  const claim = (key: string, segments: (string | number)[], what: string) => {
    const first = taken.get(key);
    if (first !== undefined) findings.push({ segments, message: `${key} is already used by ${first}` });
    else taken.set(key, what);
  };
  config.gpio?.inputs.forEach((i, n) => claim(lineKey(i), ['gpio', 'inputs', n, i.pin !== undefined ? 'pin' : 'line'], `gpio.inputs[${n}] ('${i.id}')`));
  config.gpio?.outputs.forEach((o, n) => claim(lineKey(o), ['gpio', 'outputs', n, o.pin !== undefined ? 'pin' : 'line'], `gpio.outputs[${n}] ('${o.name}')`));
  const names = new Map<string, number>();
  config.gpio?.outputs.forEach((o, n) => {
    const first = names.get(o.name);
    if (first !== undefined) findings.push({ segments: ['gpio', 'outputs', n, 'name'], message: `duplicate output name '${o.name}' (also gpio.outputs[${first}])` });
    else names.set(o.name, n);
  });
  return findings;
}

/** Inputs and readers are devices in events and topics: their ids share the devices' namespace. */
function checkIds(config: HearthConfig): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  const all: { id: string; segments: (string | number)[]; label: string }[] = [
    ...config.devices.map((d, n) => ({ id: d.id, segments: ['devices', n, 'id'], label: `devices[${n}]` })),
    ...(config.gpio?.inputs ?? []).map((d, n) => ({ id: d.id, segments: ['gpio', 'inputs', n, 'id'], label: `gpio.inputs[${n}]` })),
    ...(config.tags?.readers ?? []).map((d, n) => ({ id: d.id, segments: ['tags', 'readers', n, 'id'], label: `tags.readers[${n}]` })),
  ];
  for (const { id, segments, label } of all) {
    const first = seen.get(id);
    if (first === undefined) seen.set(id, label);
    // Duplicates among devices[] are reported by the device checks already.
    else if (segments[0] !== 'devices') findings.push({ segments, message: `id '${id}' is already used by ${first}` });
  }
  return findings;
}

function checkTags(config: HearthConfig): Finding[] {
  const findings: Finding[] = [];
  const groups = Object.keys(config.tags?.groups ?? {});
  config.tags?.readers.forEach((r, n) => {
    for (const list of ['deny', 'allow'] as const) {
      r[list]?.groups.forEach((g, k) => {
        if (groups.includes(g)) return;
        const close = suggest(g, groups);
        findings.push({ segments: ['tags', 'readers', n, list, 'groups', k], message: `no tag group '${g}' in tags.groups${close ? ` (did you mean '${close}'?)` : ''}` });
      });
    }
    if (r.pattern !== undefined) {
      if (r.protocol !== 'ascii-line') findings.push({ segments: ['tags', 'readers', n, 'pattern'], message: `only ascii-line readers use a pattern (this one is ${r.protocol})` });
      try {
        new RegExp(r.pattern);
      } catch (err) {
        findings.push({ segments: ['tags', 'readers', n, 'pattern'], message: `not a valid regular expression: ${(err as Error).message}` });
      }
    }
  });
  return findings;
}

function checkActions(config: HearthConfig): Finding[] {
  const findings: Finding[] = [];
  const outputs = (config.gpio?.outputs ?? []).map((o) => o.name);
  const indicators = new Set((config.gpio?.outputs ?? []).filter((o) => o.role === 'fault-indicator').map((o) => o.name));
  const ids = [...config.devices.map((d) => d.id), ...(config.gpio?.inputs ?? []).map((i) => i.id), ...(config.tags?.readers ?? []).map((r) => r.id)];
  (config.actions ?? []).forEach((rule, n) => {
    rule.when.devices?.forEach((id, k) => {
      if (ids.includes(id)) return;
      const close = suggest(id, ids);
      findings.push({ segments: ['actions', n, 'when', 'devices', k], message: `no device, input or tag reader with id '${id}'${close ? ` (did you mean '${close}'?)` : ''}` });
    });
    rule.do.forEach((step, k) => {
      if (!outputs.includes(step.output)) {
        const close = suggest(step.output, outputs);
        const known = outputs.length === 0 ? 'no gpio.outputs are configured' : close ? `did you mean '${close}'?` : `outputs: ${outputs.join(', ')}`;
        findings.push({ segments: ['actions', n, 'do', k, 'output'], message: `no output named '${step.output}' (${known})` });
      }
      if (indicators.has(step.output)) {
        findings.push({ segments: ['actions', n, 'do', k, 'output'], message: `'${step.output}' is a fault indicator (role: fault-indicator): the gateway drives it, local actions may not` });
      }
      if (step.pattern !== undefined && step.pattern.length % 2 !== 0) {
        findings.push({ segments: ['actions', n, 'do', k, 'pattern'], message: `needs on/off pairs (an even number of durations), got ${step.pattern.length}` });
      }
      if (step.pattern !== undefined && step.mode !== 'pattern') findings.push({ segments: ['actions', n, 'do', k, 'pattern'], message: `is only used with mode: pattern (mode is ${step.mode})` });
    });
  });
  return findings;
}
