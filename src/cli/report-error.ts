import { HearthError, EXIT_CONFIG, EXIT_IOERR } from '../errors.js';
import { EXIT_FAILURE } from './exit-codes.js';

/** Writes a failure for a person and picks the exit code from the error's type, never its text. */
export function reportError(err: unknown, out: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof HearthError && err.code === 'CONFIG_INVALID') {
    out.write(`hearth: configuration is invalid:\n${indent(err.message)}\n`);
    return EXIT_CONFIG;
  }
  if (err instanceof HearthError && err.code === 'OUTBOX_STORAGE') {
    out.write(`hearth: storage failure, exiting so the service restarts cleanly: ${err.message}\n`);
    return EXIT_IOERR;
  }
  const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
  out.write(`hearth: ${msg}\n`);
  return EXIT_FAILURE;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}
