import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_OK } from '../exit-codes.js';
import { loadConfig } from '../../config/load.js';
import { ensureToken, isUnusableTokenFile, replaceUnusableToken, rotateToken, tokenPath } from '../../api/token.js';
import { reportError } from '../report-error.js';
import { auditCliChange } from '../cli-audit.js';
import { parseCommandArgs } from '../parse-command-args.js';
import type { HearthConfig } from '../../config/types.js';
import { issueLoginCode } from '../../api/login-codes.js';
import { tokenHash } from '../../api/sessions.js';
import { encodeQr, qrToTerminal } from './token-qr.js';
import { consoleBaseUrl, loginLink } from './token-login-link.js';

const USAGE = `Usage: hearth token [--config FILE] [--rotate | --qr [--host ADDR]]

Prints the gateway's built-in administrator token: log in to the console with it, or send it as
"Authorization: Bearer <token>". It is made at the first start (a 0600 file in the state directory)
or by this command. Reading it needs the rights of the service (run as root or the hearth user).

  --config FILE   configuration file (default ${DEFAULT_CONFIG}); its gateway.stateDir holds the token
  --rotate        replace the token; the running gateway switches within a second and every console
                  session and live view made with the old one ends
  --qr            print a QR code of a one-time login link for a phone instead of the token: it
                  logs in once, within 5 minutes, as this token would; then it is dead
  --host ADDR     the address the phone reaches the gateway at (default: the API's address, or the
                  gateway's first network address when the API listens on all of them)
Tokens for other people, with less power: hearth user add NAME --role viewer.
An empty or garbage token file is moved aside (api-token.unreadable-<time>) and a new token made,
as the daemon does at start.`;

export const tokenCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('token', USAGE, {
      args,
      options: { config: { type: 'string', short: 'c' }, rotate: { type: 'boolean' }, qr: { type: 'boolean' }, host: { type: 'string' } },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const { values } = parsed;
    if (values.qr && values.rotate) {
      process.stderr.write(`hearth token: --qr and --rotate do not go together\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    try {
      const config = await loadConfig(values.config ?? DEFAULT_CONFIG, { checkFiles: false });
      const dir = config.gateway.stateDir;
      if (values.qr) return printLoginQr(config, currentOrReplaced(dir), values.host);
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

/** A one-time login link as a QR code on stdout, the link and its expiry below it. */
function printLoginQr(config: HearthConfig, token: string, host: string | undefined): number {
  const dir = config.gateway.stateDir;
  const { code, expiresAt } = issueLoginCode(dir, tokenHash(token));
  const link = loginLink(consoleBaseUrl(config, host), code);
  auditCliChange(dir, 'token qr', { expiresAt });
  process.stdout.write(qrToTerminal(encodeQr(link)));
  const minutes = Math.round((expiresAt - Date.now()) / 60_000);
  process.stdout.write(`${link}\nScan with the phone's camera: logs in once, within ${minutes} min (until ${new Date(expiresAt).toLocaleTimeString()}).\n`);
  return EXIT_OK;
}

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
