import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_OK } from '../exit-codes.js';
import { loadConfigWithProfiles } from '../../config/load.js';
import { describePlan } from '../plan/plan.js';
import { reportError } from '../report-error.js';
import { parseCommandArgs } from '../parse-command-args.js';

const USAGE = `Usage: hearth check [FILE] [--skip-file-checks]

Validates a configuration file and prints the plan: buses, devices, points and the thresholds in
effect. Exits 0 when the file is valid and 78 with one "path: message" line per problem when not.

  FILE                 the configuration (default ${DEFAULT_CONFIG}; --config FILE also works)
  --skip-file-checks   do not require TLS and password files to exist (checking a file away from its gateway)`;

export const checkCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('check', USAGE, {
      args,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, 'skip-file-checks': { type: 'boolean' } },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const file = parsed.positionals[0] ?? parsed.values.config ?? DEFAULT_CONFIG;
    try {
      const { config, profiles } = await loadConfigWithProfiles(file, { checkFiles: !parsed.values['skip-file-checks'] });
      process.stdout.write(describePlan(config, profiles));
      process.stdout.write(`\n${file}: valid\n`);
      return EXIT_OK;
    } catch (err) {
      return reportError(err);
    }
  },
};
