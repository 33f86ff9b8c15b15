import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { reportError } from '../report-error.js';
import { generateSigningKey } from '../../signing/keys.js';

const USAGE = `Usage: hearth keygen --out FILE [--id KEY_ID]

Makes an Ed25519 signing key for remote management. The private key goes to FILE (PEM, mode 0600):
keep it with whoever signs commands and configs (the platform operator), never on the gateway.
The public key is printed as the config entry the gateway needs:

  remote:
    keys:
      - { id: KEY_ID, publicKey: <printed> }

  --out FILE   where to write the private key (refuses to overwrite)
  --id KEY_ID  the key id to print in the config entry (default: ops)`;

export const keygenCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('keygen', USAGE, { args, options: { out: { type: 'string', short: 'o' }, id: { type: 'string' } } });
    if (parsed === undefined) return EXIT_USAGE;
    const { out, id = 'ops' } = parsed.values;
    if (out === undefined) {
      process.stderr.write(`hearth keygen: --out FILE is required\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    if (existsSync(out)) {
      process.stderr.write(`hearth keygen: ${out} exists; not overwriting a key\n`);
      return EXIT_USAGE;
    }
    try {
      const { privateKeyPem, publicKey } = generateSigningKey();
      writeFileSync(out, privateKeyPem, { mode: 0o600, flag: 'wx' });
      process.stderr.write(`hearth keygen: private key written to ${out}\n`);
      process.stdout.write(`remote:\n  keys:\n    - { id: ${id}, publicKey: ${publicKey} }\n`);
      return EXIT_OK;
    } catch (err) {
      return reportError(err);
    }
  },
};
