import type { Command } from './command.js';
import { EXIT_USAGE, EXIT_OK } from './exit-codes.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { asksForHelp } from './help-flag.js';
import { suggest } from '../config/suggest.js';

export type { Command } from './command.js';

/**
 * Every command with its one-line summary, in the order `hearth help` lists them. Loaded on use: `hearth version` or
 * `hearth check` should not pay for fastify, SQLite and MQTT, and start-up time counts on a Pi.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run the gateway (the daemon)', load: async () => (await import('./commands/run.js')).runCommand },
  check: { summary: 'validate a configuration file and print the plan', load: async () => (await import('./commands/check.js')).checkCommand },
  token: { summary: 'print the administrator API token (--rotate replaces it)', load: async () => (await import('./commands/token.js')).tokenCommand },
  user: { summary: 'tokens per person with a role: add, list, rotate, revoke', load: async () => (await import('./commands/user.js')).userCommand },
  scan: { summary: 'find the Modbus slaves on a bus (addresses x baud rates)', load: async () => (await import('./commands/scan.js')).scanCommand },
  read: { summary: 'read one device once and print its values (commissioning)', load: async () => (await import('./commands/read.js')).readCommand },
  write: { summary: "run a device's command (trip, close, self_test) and confirm it by read-back", load: async () => (await import('./commands/write.js')).writeCommand },
  outbox: { summary: 'outbox statistics, or export unsent records as JSON lines', load: async () => (await import('./commands/outbox.js')).outboxCommand },
  keygen: { summary: 'make an Ed25519 key pair for signing remote commands', load: async () => (await import('./commands/keygen.js')).keygenCommand },
  sign: { summary: 'sign a remote command or config for one gateway', load: async () => (await import('./commands/sign.js')).signCommand },
  selftest: { summary: 'load every module, native ones included, and exit 0 (release check)', load: async () => (await import('./commands/selftest.js')).selftestCommand },
  version: { summary: 'print the version', load: async () => (await import('./commands/version.js')).versionCommand },
};


export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) {
      process.stdout.write((await COMMANDS[topic].load()).usage + '\n');
      return EXIT_OK;
    }
    if (topic) return unknownCommand(topic);
    process.stdout.write(helpText());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const cmd = COMMANDS[name === '--version' || name === '-v' ? 'version' : name];
  if (!cmd) return unknownCommand(name);
  const command = await cmd.load();
  if (asksForHelp(rest)) {
    process.stdout.write(command.usage + '\n');
    return EXIT_OK;
  }
  return command.run(rest);
}

/** The command names, in the order `hearth help` lists them (tests walk them all). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

function unknownCommand(name: string): number {
  const guess = suggest(name, COMMAND_NAMES);
  const hint = guess ? `; did you mean '${guess}'? (hearth ${guess} --help)` : '';
  process.stderr.write(`hearth: unknown command '${name}'${hint}\n\n${helpText()}`);
  return EXIT_USAGE;
}

function helpText(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`);
  return [
    'hearth: edge gateway runtime for building fire safety',
    '',
    'Usage: hearth <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    `Configuration: --config FILE (default ${DEFAULT_CONFIG}).`,
    "Run 'hearth help <command>' for a command's options.",
    'Exit codes: 0 ok, 1 failure, 64 usage, 69 unavailable, 74 storage failure, 78 configuration error.',
    '',
  ].join('\n');
}
