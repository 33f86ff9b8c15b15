import { checkParams } from '../../drivers/modbus/command-request.js';
import { runCommand, type CommandOutcome } from '../../drivers/modbus/command-runner.js';
import type { CommandDef } from '../../drivers/modbus/profile-types.js';
import type { ModbusBus } from '../bus/modbus/types.js';
import type { DeviceProfiles } from '../config/profiles.js';
import type { CommandStep } from '../config/io-types.js';
import type { DeviceConfig } from '../config/types.js';
import { HearthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import { checkCaller, type CommandCaller } from './command-policy.js';

/** No such device, or no such command in its profile. */
export class CommandNotFoundError extends HearthError {
  constructor(message: string) {
    super('COMMAND_NOT_FOUND', message);
  }
}

/** What one run leaves in the audit log; the composition root maps it into the gateway's log. */
export interface CommandAuditRecord {
  at: number;
  device: string;
  command: string;
  caller: CommandCaller;
  params: Record<string, number>;
  outcome: CommandOutcome;
}

export interface DeviceCommandsOptions {
  devices: readonly DeviceConfig[];
  profiles: DeviceProfiles;
  /** The running bus of that id (shared with polling: commands queue beside the polls). */
  bus: (busId: string) => ModbusBus | undefined;
  audit: (record: CommandAuditRecord) => void;
  logger: Logger;
  now: () => number;
  /** Waits inside the runner (tests shorten them). */
  busyRetryMs?: number;
  readBackEveryMs?: number;
}

export interface DeviceCommandResult extends CommandOutcome {
  device: string;
}

/**
 * The gateway's device commands: the console, signed remote commands, the CLI's daemonless twin
 * and local rules all run them here, so each is checked by the same rule (checkCaller), runs on the
 * live bus beside the polls, and is audited with its outcome and read-back. One command per
 * device at a time: a rule's trip and an installer's close never interleave on one breaker.
 */
export class DeviceCommands {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly o: DeviceCommandsOptions) {}

  /** The commands of a device's profile; undefined when the device has none or is not a Modbus device. */
  list(deviceId: string): readonly CommandDef[] | undefined {
    const commands = this.o.profiles.get(deviceId)?.commands;
    return commands !== undefined && commands.length > 0 ? commands : undefined;
  }

  /** Devices with commands, for the console and the report. */
  devicesWithCommands(): string[] {
    return this.o.devices.filter((d) => d.enabled && this.list(d.id) !== undefined).map((d) => d.id);
  }

  /**
   * Runs a command. Throws (before anything is sent) CommandNotFoundError, CommandParamsError or
   * CommandRefusedError; otherwise resolves with the outcome, whatever the device did.
   */
  async run(deviceId: string, name: string, given: Readonly<Record<string, unknown>>, caller: CommandCaller): Promise<DeviceCommandResult> {
    const device = this.o.devices.find((d) => d.id === deviceId && d.enabled);
    const profile = this.o.profiles.get(deviceId);
    if (device === undefined || profile === undefined) throw new CommandNotFoundError(`no Modbus device '${deviceId}'`);
    const cmd = profile.commands.find((c) => c.name === name);
    if (cmd === undefined) {
      throw new CommandNotFoundError(`${deviceId} (${profile.model}) has no command '${name}' (commands: ${profile.commands.map((c) => c.name).join(', ') || 'none'})`);
    }
    checkCaller(cmd, caller);
    const params = checkParams(cmd, given);
    const bus = this.o.bus(device.bus);
    if (bus === undefined) throw new CommandNotFoundError(`${deviceId}: bus ${device.bus} is not running`);
    const previous = this.queues.get(deviceId) ?? Promise.resolve();
    const run = previous.then(async () => {
      const outcome = await runCommand({ bus, unit: device.address, profile }, cmd, params, {
        urgent: caller.via === 'rule',
        ...(this.o.busyRetryMs !== undefined ? { busyRetryMs: this.o.busyRetryMs } : {}),
        ...(this.o.readBackEveryMs !== undefined ? { readBackEveryMs: this.o.readBackEveryMs } : {}),
      });
      this.record(deviceId, cmd, caller, params, outcome);
      return { device: deviceId, ...outcome };
    });
    const settled = run.catch(() => undefined);
    this.queues.set(deviceId, settled);
    void settled.then(() => {
      if (this.queues.get(deviceId) === settled) this.queues.delete(deviceId);
    });
    return run;
  }

  /** A local rule's command step, started in the event's turn and left to run (the alarm path never waits). */
  runForRule(step: CommandStep, rule: string, cause: GatewayEvent): void {
    this.run(step.device, step.command, {}, { via: 'rule', by: `rule:${rule}` }).catch((err: unknown) => {
      this.o.logger.error({ rule, device: step.device, command: step.command, event: cause.id, err: (err as Error).message }, 'rule command refused');
    });
  }

  private record(device: string, cmd: CommandDef, caller: CommandCaller, params: Record<string, number>, outcome: CommandOutcome): void {
    const line = { device, command: cmd.name, by: caller.by, via: caller.via, result: outcome.result, ms: outcome.ms, attempts: outcome.attempts, readBack: outcome.readBack };
    if (outcome.ok) this.o.logger.warn(line, `device command ${device} ${cmd.name}: ${outcome.result}`);
    else this.o.logger.error({ ...line, detail: outcome.detail }, `device command ${device} ${cmd.name}: ${outcome.result}`);
    try {
      this.o.audit({ at: this.o.now(), device, command: cmd.name, caller, params, outcome });
    } catch (err) {
      this.o.logger.error({ device, command: cmd.name, err: (err as Error).message }, 'device command not audited');
    }
  }
}
