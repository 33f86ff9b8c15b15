import type { ComponentLogger } from '../../src/log/component-logger.js';

export interface LoggedLine {
  level: string;
  msg: string;
  obj: Record<string, unknown>;
  /** When it was logged (performance.now() of the logging process). */
  at: number;
}

/** A logger that keeps every line, with its moment, for tests that look at what a component said and when. */
export function recordingLogger(): ComponentLogger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown>, at: performance.now() });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
