import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import type { LogConfig } from '../config/types.js';
import { prettyLine } from './pretty.js';

/**
 * The one logger type the runtime passes around. JSON lines to stdout for journald by default;
 * a readable one-line format for a person at a terminal (the demo, commissioning over SSH).
 */
export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

export function createLogger(cfg: Pick<LogConfig, 'level' | 'format'>, out: NodeJS.WritableStream = process.stdout): Logger {
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
