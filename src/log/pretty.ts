/**
 * Turns one pino JSON line into "12:00:01 INFO  [component] message key=value ...".
 * Kept tiny on purpose: no colour libraries on a Pi, and journald gets the JSON anyway.
 */
const SKIP = new Set(['level', 'time', 'msg', 'component']);

export function prettyLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : '';
  const level = String(rec.level ?? '').toUpperCase().padEnd(5);
  const comp = rec.component ? `[${String(rec.component)}] ` : '';
  const extras = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  return `${time} ${level} ${comp}${String(rec.msg ?? '')}${extras ? '  ' + extras : ''}\n`;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (v && typeof v === 'object' && 'message' in v && 'stack' in v) return JSON.stringify((v as Error).message);
  return JSON.stringify(v);
}
