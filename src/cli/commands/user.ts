import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_OK, EXIT_FAILURE } from '../exit-codes.js';
import { loadConfig } from '../../config/load.js';
import { HearthError } from '../../errors.js';
import { isRole, ROLES } from '../../api/access/roles.js';
import { addUser, readUsers, revokeUser, rotateUser, usersPath } from '../../api/access/user-file.js';
import { auditCliChange } from '../cli-audit.js';
import { reportError } from '../report-error.js';
import { parseCommandArgs } from '../parse-command-args.js';

const USAGE = `Usage: hearth user add NAME --role viewer|installer|administrator [--config FILE]
       hearth user list [--json] [--config FILE]
       hearth user rotate NAME [--config FILE]
       hearth user revoke NAME [--config FILE]

One token per person for the console and the API, each with a role:
  viewer         a resident: sees status, devices, events and alarms, acknowledges and silences
  installer      commissioning: also device reads, output tests, test alarms, scans, duty checks
  administrator  also users and tokens, and the audit log
add and rotate print the new token once (only its hash is kept, in ${usersPath('<stateDir>')}, mode 0600).
rotate and revoke end that person's console sessions and live views within a second.
The built-in administrator token (hearth token) keeps working beside them.

  --config FILE   configuration file (default ${DEFAULT_CONFIG}); its gateway.stateDir holds the users`;

export const userCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('user', USAGE, {
      args,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, role: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const { values, positionals } = parsed;
    const [action, name, ...extra] = positionals;
    const usage = (why: string): number => {
      process.stderr.write(`hearth user: ${why}\n${USAGE}\n`);
      return EXIT_USAGE;
    };
    if (extra.length > 0) return usage(`unexpected ${extra.join(' ')}`);
    if (action !== 'list' && action !== 'add' && action !== 'rotate' && action !== 'revoke') return usage(action === undefined ? 'say what to do' : `unknown action '${action}'`);
    if (action !== 'list' && name === undefined) return usage(`${action} needs a user name`);
    if (action === 'add' && !isRole(values.role)) return usage(`add needs --role ${ROLES.join('|')}`);
    if (action !== 'add' && values.role !== undefined) return usage('--role goes with add only');
    try {
      const config = await loadConfig(values.config ?? DEFAULT_CONFIG, { checkFiles: false });
      const dir = config.gateway.stateDir;
      switch (action) {
        case 'list': {
          const users = readUsers(dir).map(({ name: n, role, createdAt, rotatedAt }) => ({ name: n, role, createdAt, ...(rotatedAt !== undefined ? { rotatedAt } : {}) }));
          if (values.json) process.stdout.write(`${JSON.stringify(users)}\n`);
          else if (users.length === 0) process.stdout.write('no users (the administrator token of hearth token works; add people with hearth user add)\n');
          else for (const u of users) process.stdout.write(`${u.name.padEnd(20)} ${u.role.padEnd(13)} since ${new Date(u.createdAt).toISOString()}\n`);
          return EXIT_OK;
        }
        case 'add': {
          const { user, token } = addUser(dir, name!, values.role as (typeof ROLES)[number]);
          auditCliChange(dir, 'user add', { name: user.name, role: user.role });
          process.stderr.write(`hearth user: ${user.name} (${user.role}) added; the token below is shown once\n`);
          process.stdout.write(`${token}\n`);
          return EXIT_OK;
        }
        case 'rotate': {
          const { user, token } = rotateUser(dir, name!);
          auditCliChange(dir, 'user rotate', { name: user.name });
          process.stderr.write(`hearth user: new token for ${user.name} (${user.role}); the old one no longer works; shown once\n`);
          process.stdout.write(`${token}\n`);
          return EXIT_OK;
        }
        case 'revoke': {
          const user = revokeUser(dir, name!);
          auditCliChange(dir, 'user revoke', { name: user.name });
          process.stderr.write(`hearth user: ${user.name} revoked; their sessions end within a second\n`);
          return EXIT_OK;
        }
      }
    } catch (err) {
      if (err instanceof HearthError && err.code.startsWith('USER')) {
        process.stderr.write(`hearth user: ${err.message}\n`);
        return EXIT_FAILURE;
      }
      return reportError(err);
    }
  },
};
