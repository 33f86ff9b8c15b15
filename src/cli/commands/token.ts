import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_OK } from '../exit-codes.js';
import { loadConfig } from '../../config/load.js';
import { ensureToken, isUnusableTokenFile, replaceUnusableToken, rotateToken, tokenPath } from '../../api/token.js';
import { reportError } from '../report-error.js';
import { auditCliChange } from '../cli-audit.js';
import { parseCommandArgs } from '../parse-command-args.js';

const USAGE = `Usage: hearth token [--config FILE] [--rotate]

Prints the gateway's built-in administrator token: log in to the console with it, or send it as
"Authorization: Bearer <token>". It is made at the first start (a 0600 file in the state directory)
or by this command. Reading it needs the rights of the service (run as root or the hearth user).

  --config FILE   configuration file (default ${DEFAULT_CONFIG}); its gateway.stateDir holds the token
  --rotate        replace the token; the running gateway switches within a second and every console
                  session and live view made with the old one ends
Tokens for other people, with less power: hearth user add NAME --role viewer.
An empty or garbage token file is moved aside (api-token.unreadable-<time>) and a new token made,
as the daemon does at start.`;

export const tokenCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('token', USAGE, { args, options: { config: { type: 'string', short: 'c' }, rotate: { type: 'boolean' } } });
    if (parsed === undefined) return EXIT_USAGE;
    const { values } = parsed;
    try {
      const config = await loadConfig(values.config ?? DEFAULT_CONFIG, { checkFiles: false });
      const dir = config.gateway.stateDir;
      const token = values.rotate ? rotateToken(dir) : currentOrReplaced(dir);
      if (values.rotate) {
        auditCliChange(dir, 'token rotate', {});
        process.stderr.write(`hearth token: new token written to ${tokenPath(dir)}\n`);
      }
      process.stdout.write(`${token}\n`);
      return EXIT_OK;
    } catch (err) {
      return reportError(err);
    }
  },
};

/** The token; an unusable file is moved aside and replaced (said on stderr), as the daemon does. */
function currentOrReplaced(dir: string): string {
  try {
    return ensureToken(dir);
  } catch (err) {
    if (!isUnusableTokenFile(err)) throw err;
    const { token, movedTo } = replaceUnusableToken(dir);
    process.stderr.write(`hearth token: ${(err as Error).message}: moved it aside to ${movedTo}; new token written to ${tokenPath(dir)}\n`);
    return token;
  }
}
