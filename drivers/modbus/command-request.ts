import type { ModbusRequest } from '../../src/bus/modbus/types.js';
import { HearthError } from '../../src/errors.js';
import type { CommandDef } from './profile-types.js';

/** A command's parameters were missing, unknown or out of range: nothing was sent. */
export class CommandParamsError extends HearthError {
  constructor(message: string) {
    super('COMMAND_PARAMS', message);
  }
}

/**
 * The parameters a caller gave, checked against the command's list: every one present, a finite
 * number within its range, nothing unknown (a typo must not run the command with a default).
 */
export function checkParams(cmd: CommandDef, given: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(given)) {
    if (!cmd.params.some((p) => p.name === key)) {
      const known = cmd.params.map((p) => p.name).join(', ') || 'none';
      throw new CommandParamsError(`${cmd.name}: unknown parameter '${key}' (parameters: ${known})`);
    }
  }
  for (const p of cmd.params) {
    const raw = given[p.name];
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (value === undefined) throw new CommandParamsError(`${cmd.name}: parameter '${p.name}' is required (${p.min}-${p.max}${p.unit ? ` ${p.unit}` : ''})`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new CommandParamsError(`${cmd.name}: '${p.name}' must be a number, got ${JSON.stringify(raw)}`);
    if (value < p.min || value > p.max) {
      throw new CommandParamsError(`${cmd.name}: '${p.name}' must be ${p.min}-${p.max}${p.unit ? ` ${p.unit}` : ''}, got ${value}`);
    }
    out[p.name] = value;
  }
  return out;
}

/** The register word a parameter value becomes: value / scale, rounded; negatives as 16-bit two's complement. */
function registerWord(cmd: CommandDef, name: string, value: number): number {
  const scale = cmd.params.find((p) => p.name === name)?.scale ?? 1;
  const raw = Math.round(value / scale);
  if (raw < -0x8000 || raw > 0xffff) throw new CommandParamsError(`${cmd.name}: '${name}' = ${value} does not fit one register (raw ${raw})`);
  return raw & 0xffff;
}

/**
 * The Modbus request that carries the command: function 05 or 06 for one value, 15 or 16 for a
 * block, or the function the profile names (devices that take only 16, even for one register).
 */
export function commandRequest(cmd: CommandDef, unit: number, params: Readonly<Record<string, number>>): ModbusRequest {
  const w = cmd.write;
  const { address } = w;
  if (w.area === 'coil') {
    const bits = w.values !== undefined ? w.values.map((v) => v === true) : [w.value === true];
    if (w.function === 15 || w.values !== undefined) return { op: 'writeCoils', unit, address, values: bits };
    return { op: 'writeCoil', unit, address, value: bits[0]! };
  }
  const words =
    w.values !== undefined
      ? w.values.map(Number)
      : w.param !== undefined
        ? [registerWord(cmd, w.param, params[w.param]!)]
        : [Number(w.value)];
  if (w.function === 16 || w.values !== undefined) return { op: 'writeRegisters', unit, address, values: words };
  return { op: 'writeRegister', unit, address, value: words[0]! };
}

/** What the read-back must show: the profile's value, or the parameter written. */
export function expectedReadBack(cmd: CommandDef, params: Readonly<Record<string, number>>): number | boolean | undefined {
  if (cmd.confirm === undefined) return undefined;
  if (cmd.confirm.equals !== undefined) return cmd.confirm.equals;
  return cmd.write.param !== undefined ? params[cmd.write.param] : undefined;
}
