import type { ActionStep, GpioInputConfig, LocalActionRule, TagListRef, TagReaderConfig } from '../../config/io-types.js';
import type { HearthConfig } from '../../config/types.js';

/**
 * The GPIO, tag reader and local action part of `hearth check`: what is wired to which pin, what a
 * contact means, which readers watch for which tags, and what each local rule switches.
 */
export function describeIo(config: HearthConfig): string[] {
  const out: string[] = [];
  const gpio = config.gpio;
  if (gpio && gpio.inputs.length + gpio.outputs.length > 0) {
    out.push('', `gpio ${gpio.backend}${gpio.chip ? ` (chip ${gpio.chip})` : ''}`);
    const w = Math.max(...gpio.inputs.map((i) => i.id.length), ...gpio.outputs.map((o) => o.name.length));
    for (const i of gpio.inputs) out.push(`  ${i.id.padEnd(w)}  ${inputText(i)}`);
    for (const o of gpio.outputs) {
      out.push(`  ${o.name.padEnd(w)}  ${line(o)} output, on = ${o.activeLevel}, safe state ${o.safeState}${o.description ? `  ${o.description}` : ''}`);
    }
  }
  const tags = config.tags;
  if (tags && tags.readers.length > 0) {
    const groups = Object.entries(tags.groups).map(([g, ids]) => `${g} (${ids.length})`);
    out.push('', `tag readers${groups.length > 0 ? `, groups: ${groups.join(', ')}` : ''}`);
    for (const r of tags.readers) out.push(...readerLines(r));
  }
  const actions = config.actions ?? [];
  if (actions.length > 0) {
    out.push('', 'local actions (work without network)');
    for (const a of actions) out.push(`  ${actionText(a)}`);
  }
  return out;
}

function line(x: { pin?: number; line?: string }): string {
  return x.pin !== undefined ? `BCM ${x.pin}` : `line ${x.line}`;
}

function inputText(i: GpioInputConfig): string {
  const role = i.role === 'value' ? 'value' : `${i.role}${i.severity ? ` ${i.severity}` : ''}`;
  return `${line(i)} ${i.contact} ${i.wiring}, debounce ${i.debounceMs} ms  ${i.point} ${role}${i.enabled ? '' : '  (DISABLED)'}`;
}

function listText(l: TagListRef | undefined): string {
  if (!l) return '';
  return [...l.groups.map((g) => `group ${g}`), ...l.tags].join(', ');
}

function readerLines(r: TagReaderConfig): string[] {
  const where = r.tcp !== undefined ? `tcp ${r.tcp}` : `${r.port}${r.baudRate ? ` ${r.baudRate}` : ''}`;
  const lines = [`  ${r.id}  ${r.protocol} ${where}, dwell ${r.dwellMs} ms, gone after ${r.absenceMs} ms${r.enabled ? '' : '  (DISABLED)'}`];
  if (r.deny) lines.push(`    alarm (${r.alarmSeverity}) on: ${listText(r.deny)}`);
  if (r.allow) lines.push(`    alarm (${r.alarmSeverity}) unless: ${listText(r.allow)}`);
  return lines;
}

function ms(n: number): string {
  return n % 1000 === 0 ? `${n / 1000} s` : `${n} ms`;
}

function stepText(s: ActionStep): string {
  switch (s.mode) {
    case 'pulse':
      return `${s.output} pulse ${ms(s.forMs ?? 1000)}`;
    case 'pattern':
      return `${s.output} pattern ${(s.pattern ?? [500, 500]).join('/')}${s.forMs !== undefined ? ` for ${ms(s.forMs)}` : ''}`;
    default:
      return `${s.output} ${s.mode}${s.forMs !== undefined ? ` ${ms(s.forMs)}` : ''}`;
  }
}

function actionText(a: LocalActionRule): string {
  const w = a.when;
  const from = w.devices ? ` from ${w.devices.join(', ')}` : '';
  const pts = w.points ? ` (${w.points.join(', ')})` : '';
  const sev = w.severities ? ` [${w.severities.join(', ')}]` : '';
  const until = a.untilRestore ? ', until restored' : '';
  return `${a.name}: ${w.kinds.join('/')}${sev}${from}${pts} → ${a.do.map(stepText).join(', ')}${until}`;
}
