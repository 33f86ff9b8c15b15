import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggest } from '../config/suggest.js';

/**
 * parseArgs for one command: on a bad flag or value, writes `hearth <command>: <why>` (with the
 * closest known option for a mistyped one) and the command's usage to stderr and returns undefined
 * (the caller exits with EXIT_USAGE).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> | undefined {
  try {
    return parseArgs(config);
  } catch (err) {
    process.stderr.write(`hearth ${command}: ${describeParseError(err as Error & { code?: string }, Object.keys(config.options ?? {}))}\n${usage}\n`);
    return undefined;
  }
}

/** node's message, shortened, and for an unknown option the one that was probably meant. */
export function describeParseError(err: Error & { code?: string }, options: readonly string[]): string {
  // node adds advice about '--' for positionals that start with '-'; it only confuses here.
  const message = err.message.replace(/\. To specify a positional argument.*$/s, '');
  if (err.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return message;
  const typed = /'(-{1,2}[^'=]+)/.exec(err.message)?.[1]?.replace(/^-+/, '');
  const guess = typed === undefined ? undefined : suggest(typed, options);
  return guess ? `${message}; did you mean --${guess}?` : message;
}
