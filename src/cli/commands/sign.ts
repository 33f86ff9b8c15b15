import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { reportError } from '../report-error.js';
import { sealEnvelope } from '../../signing/envelope.js';
import { parsePrivateKey } from '../../signing/keys.js';

const USAGE = `Usage: hearth sign --key FILE --kid KEY_ID --gateway ID --command NAME [--device ID]
                   [--params JSON] [--config-file FILE]

Signs one remote command for one gateway (docs/remote-management.md, "Signed commands") and prints
the two parameters to send in the platform's command: {"signed": "...", "sig": "..."}. Send it as
the command NAME, or as the command "signed". It is valid for remote.replayWindowMs either side of
now, and runs once.

  --key FILE          the Ed25519 private key (PEM, from hearth keygen)
  --kid KEY_ID        the id the gateway knows the key by (remote.keys[].id)
  --gateway ID        the gateway's gateway.id
  --command NAME      e.g. silence_alarm, apply_config, restart
  --device ID         the device the command is for (read_device, set_threshold)
  --params JSON       the command's parameters, e.g. '{"eventId":"…","minutes":15}'
  --config-file FILE  apply_config: a whole config file as params.config`;

export const signCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('sign', USAGE, {
      args,
      options: {
        key: { type: 'string' },
        kid: { type: 'string' },
        gateway: { type: 'string' },
        command: { type: 'string' },
        device: { type: 'string' },
        params: { type: 'string' },
        'config-file': { type: 'string' },
      },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const v = parsed.values;
    const missing = (['key', 'kid', 'gateway', 'command'] as const).filter((k) => v[k] === undefined);
    if (missing.length > 0) {
      process.stderr.write(`hearth sign: missing ${missing.map((m) => `--${m}`).join(', ')}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    try {
      const params = v.params !== undefined ? (JSON.parse(v.params) as Record<string, unknown>) : {};
      if (v['config-file'] !== undefined) params.config = readFileSync(v['config-file'], 'utf8');
      const body = { v: 1, gw: v.gateway, cmd: v.command, ...(v.device !== undefined ? { device: v.device } : {}), params, ts: Date.now(), nonce: randomBytes(8).toString('hex') };
      const envelope = sealEnvelope(body, parsePrivateKey(readFileSync(v.key!, 'utf8')), v.kid!);
      process.stdout.write(`${JSON.stringify(envelope)}\n`);
      return EXIT_OK;
    } catch (err) {
      return reportError(err);
    }
  },
};
