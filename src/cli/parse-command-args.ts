import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * parseArgs for one command: on a bad flag or value, writes `hearth <command>: <why>` and the
 * command's usage to stderr and returns undefined (the caller exits with EXIT_USAGE).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> | undefined {
  try {
    return parseArgs(config);
  } catch (err) {
    process.stderr.write(`hearth ${command}: ${(err as Error).message}\n${usage}\n`);
    return undefined;
  }
}
