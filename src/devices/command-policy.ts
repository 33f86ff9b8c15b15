import { HearthError } from '../errors.js';

/** Who asks for a device command, and how. */
export interface CommandCaller {
  via: 'rule' | 'schedule' | 'console' | 'remote' | 'cli';
  /** The person or rule: a user name, `rule:<id>`, `platform:<operator>`. */
  by: string;
  /**
   * A person confirmed this very command (the console's confirmation step, `hearth write
   * --confirm`, `confirm: true` inside a signed remote command).
   */
  confirmed?: boolean;
}

/** The flags of a command that decide who may run it (profile commands carry them). */
export interface CommandFlags {
  name: string;
  safety: boolean;
  fromRules: boolean;
}

/** A command was refused before anything was sent to the device. */
export class CommandRefusedError extends HearthError {
  constructor(
    code: 'COMMAND_NOT_FOR_RULES' | 'COMMAND_NEEDS_CONFIRMATION',
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * The one place that decides whether a caller may run a command: rules and schedules only what
 * the profile marks fromRules (and never a safety-relevant one, which the profile checks already refuse);
 * a safety-relevant command only when a person confirmed it. Throws CommandRefusedError.
 */
export function checkCaller(cmd: CommandFlags, caller: CommandCaller): void {
  if ((caller.via === 'rule' || caller.via === 'schedule') && (!cmd.fromRules || cmd.safety)) {
    throw new CommandRefusedError('COMMAND_NOT_FOR_RULES', `${cmd.name}: no rule or schedule may run it (the profile does not mark it fromRules)`);
  }
  if (cmd.safety && caller.confirmed !== true) {
    throw new CommandRefusedError(
      'COMMAND_NEEDS_CONFIRMATION',
      `${cmd.name} is safety-relevant: a person must confirm it (${caller.via === 'cli' ? 'add --confirm' : caller.via === 'remote' ? "sign it with confirm: true" : 'confirm it in the console'})`,
    );
  }
}
