import { EXIT_USAGE } from './exit-codes.js';
import { runCommand } from './commands/run.js';
import { checkCommand } from './commands/check.js';
import { versionCommand } from './commands/version.js';
import { tokenCommand } from './commands/token.js';
import { scanCommand } from './commands/scan.js';
import { readCommand } from './commands/read.js';
import { outboxCommand } from './commands/outbox.js';
import { DEFAULT_CONFIG } from './defaults.js';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Every command, in the order `hearth help` lists them. */
const COMMANDS: Record<string, Command> = {
  run: runCommand,
  check: checkCommand,
  token: tokenCommand,
  scan: scanCommand,
  read: readCommand,
  outbox: outboxCommand,
  version: versionCommand,
};


export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) {
      process.stdout.write(COMMANDS[topic].usage + '\n');
      return 0;
    }
    process.stdout.write(helpText());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') return versionCommand.run([]);
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`hearth: unknown command '${name}'\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  return cmd.run(rest);
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
