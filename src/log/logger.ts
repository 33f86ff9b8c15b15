import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { prettyLine } from './pretty.js';

/**
 * The one logger type the runtime passes around. JSON lines to stdout for journald by default;
 * a readable one-line format for a person at a terminal (the demo, commissioning over SSH).
 */
export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

/** How to log: pino's level names; `auto` is readable on a terminal and JSON lines otherwise. */
export interface LogSettings {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  format: 'auto' | 'json' | 'pretty';
}

export function createLogger(cfg: LogSettings, out: NodeJS.WritableStream = process.stdout): Logger {
  const pretty = cfg.format === 'pretty' || (cfg.format === 'auto' && (out as NodeJS.WriteStream).isTTY === true);
  const dest: DestinationStream = pretty
    ? { write: (line: string) => void out.write(prettyLine(line)) }
    : { write: (line: string) => void out.write(line) };
  return pino(
    {
      level: cfg.level,
      base: undefined, // pid/hostname are journald's job
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}

/** For components and tests that take a logger but have nothing to say. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
