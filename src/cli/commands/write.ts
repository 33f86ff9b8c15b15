import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { createModbusBus } from '../../bus/modbus/index.js';
import { checkParams } from '../../../drivers/modbus/command-request.js';
import { runCommand, type CommandOutcome } from '../../../drivers/modbus/command-runner.js';
import type { CommandDef } from '../../../drivers/modbus/profile-types.js';
import { checkCaller } from '../../devices/command-policy.js';
import { HearthError } from '../../errors.js';
import { configuredDevice } from '../configured-device.js';
import { suggest } from '../../config/suggest.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { explainOpenFailure, missingSerialPort } from '../explain-bus-open.js';
import { auditCliChange } from '../cli-audit.js';

const USAGE = `Usage: hearth write DEVICE [COMMAND [NAME=VALUE ...]] [--confirm] [--config FILE] [--json]

Runs one of a device's commands, as its profile defines them (trip, close, self_test, ...), and
waits for the read-back that confirms it. For commissioning: "does the breaker really trip?"
Without COMMAND, lists the device's commands and their parameters.

  DEVICE         a device id from the configuration
  COMMAND        a command of the device's profile
  NAME=VALUE     the command's parameters, e.g. milliamps=25
  --confirm      run a safety-relevant command (closing a breaker re-energises a circuit): you
                 confirm that it is safe
  --config FILE  configuration (default ${DEFAULT_CONFIG})
  --json         the outcome as one JSON object

Every run is written to the audit log in the state directory, with its outcome and read-back.
A serial port is opened exclusively: stop the service first (sudo systemctl stop hearth), or use
a Modbus TCP bus.

Exit codes: 0 done (confirmed, or written where the profile has no read-back), 1 written but not
confirmed, 64 usage, unknown device, command or parameter, or a safety command without --confirm,
69 the device refused, stayed busy or did not answer, or the port is missing or busy, 78
configuration invalid.`;

export const writeCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('write', USAGE, {
      args,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, confirm: { type: 'boolean' } },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const [deviceId, commandName, ...pairs] = parsed.positionals;
    if (deviceId === undefined) {
      process.stderr.write(`hearth write: give a device id\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    const found = await configuredDevice('write', parsed.values.config, deviceId);
    if (typeof found === 'number') return found;
    const { config, device, profile, busCfg, busIndex } = found;
    if (commandName === undefined) {
      process.stdout.write(listCommands(device.id, profile.model, profile.commands));
      return EXIT_OK;
    }
    const cmd = profile.commands.find((c) => c.name === commandName);
    if (!cmd) {
      const names = profile.commands.map((c) => c.name);
      const guess = suggest(commandName, names);
      process.stderr.write(`hearth write: ${device.id} (${profile.model}) has no command '${commandName}' (commands: ${names.join(', ') || 'none'})${guess ? `; did you mean '${guess}'?` : ''}\n`);
      return EXIT_USAGE;
    }
    const given: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        process.stderr.write(`hearth write: parameters are NAME=VALUE, got '${pair}'\n`);
        return EXIT_USAGE;
      }
      given[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const who = process.env.SUDO_USER ?? 'cli';
    let params: Record<string, number>;
    try {
      params = checkParams(cmd, given);
      checkCaller(cmd, { via: 'cli', by: who, confirmed: parsed.values.confirm === true });
    } catch (err) {
      if (!(err instanceof HearthError)) throw err;
      process.stderr.write(`hearth write: ${device.id}: ${err.message}\n`);
      return EXIT_USAGE;
    }

    const configKey = `buses[${busIndex}]${busCfg.type === 'modbus-rtu' ? '.port' : ' (host, port)'} in ${config.sourcePath ?? 'the configuration'}`;
    const missing = missingSerialPort(busCfg, configKey);
    if (missing) {
      process.stderr.write(`hearth write: ${device.id} is on bus ${busCfg.id}: ${missing}\n`);
      return EXIT_UNAVAILABLE;
    }
    const bus = createModbusBus(busCfg, { connectTimeoutMs: Math.max(2000, busCfg.timeoutMs * 2) });
    try {
      await bus.open();
    } catch (err) {
      process.stderr.write(`hearth write: ${device.id} is on bus ${busCfg.id}: ${explainOpenFailure(busCfg, err, configKey)}\n`);
      await bus.close().catch(() => undefined);
      return EXIT_UNAVAILABLE;
    }
    let outcome: CommandOutcome;
    try {
      outcome = await runCommand({ bus, unit: device.address, profile }, cmd, params);
    } finally {
      await bus.close().catch(() => undefined);
    }
    const code = outcome.result.toUpperCase();
    try {
      auditCliChange(config.gateway.stateDir, `write ${cmd.name}`, { ...params, readBack: outcome.readBack, attempts: outcome.attempts }, {
        outcome: outcome.ok ? 'done' : 'failed',
        code,
        device: device.id,
        ...(outcome.detail ? { message: outcome.detail } : {}),
      });
    } catch (err) {
      process.stderr.write(`hearth write: the audit log could not be written (${(err as Error).message})\n`);
    }
    if (parsed.values.json) process.stdout.write(JSON.stringify({ device: device.id, ...outcome }) + '\n');
    else process.stdout.write(describe(device.id, outcome));
    if (outcome.ok) return EXIT_OK;
    return outcome.result === 'not_confirmed' ? EXIT_FAILURE : EXIT_UNAVAILABLE;
  },
};

function describe(device: string, o: CommandOutcome): string {
  const read = o.readBack?.value !== undefined ? ` (${o.readBack.point} = ${String(o.readBack.value)})` : '';
  const tries = o.attempts > 1 ? `, ${o.attempts} tries` : '';
  const head = `${device} ${o.command}: ${o.result.replace('_', ' ')} in ${o.ms} ms${tries}${read}`;
  return `${head}${o.detail ? `\n  ${o.detail}` : ''}\n`;
}

function listCommands(device: string, model: string, commands: readonly CommandDef[]): string {
  if (commands.length === 0) return `${device} (${model}) has no commands in its profile\n`;
  const lines = commands.map((c) => {
    const params = c.params.map((p) => ` ${p.name}=${p.min}..${p.max}${p.unit ? ` ${p.unit}` : ''}`).join('');
    const flags = [c.safety ? 'needs --confirm' : '', c.fromRules ? 'rules may run it' : '', c.confirm ? `read-back ${c.confirm.point}` : ''].filter(Boolean).join(', ');
    return `  ${c.name}${params}${c.description ? `  ${c.description}` : ''}${flags ? ` [${flags}]` : ''}`;
  });
  return `${device} (${model}) commands:\n${lines.join('\n')}\n`;
}
