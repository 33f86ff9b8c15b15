import { isRetryable, ModbusExceptionError } from '../../src/bus/modbus/errors.js';
import type { ModbusBus } from '../../src/bus/modbus/types.js';
import { registerCount } from './decode.js';
import { decodeBlock } from './driver.js';
import { profilePointSpecs } from './profile-points.js';
import { pointValue } from '../../src/model/point-value.js';
import { commandRequest, expectedReadBack } from './command-request.js';
import type { CommandDef, ModbusProfile } from './profile-types.js';
import { planReads, type ReadItem, type Span } from './read-plan.js';

/**
 * How a command ended. Only `confirmed` and `written` mean the device took it:
 * - confirmed: written, and the read-back showed the effect within the profile's time limit;
 * - written: written (or acknowledged, exception 05), the profile names no read-back;
 * - not_confirmed: written, but the read-back did not show the effect in time;
 * - refused: the device answered with an exception (illegal address, value, device failure);
 * - busy: the device answered "busy" (exception 06) to every try until the time limit;
 * - no_answer: timeout, CRC error or bus down: whether it took effect is unknown.
 */
export type CommandResult = 'confirmed' | 'written' | 'not_confirmed' | 'refused' | 'busy' | 'no_answer';

export interface CommandOutcome {
  command: string;
  result: CommandResult;
  ok: boolean;
  /** Write requests sent (tries after "busy", and retries of an idempotent command). */
  attempts: number;
  /** From the call to the outcome, ms. */
  ms: number;
  readBack?: { point: string; expected: number | boolean; value?: number | boolean };
  detail?: string;
}

export interface CommandTarget {
  bus: ModbusBus;
  unit: number;
  profile: ModbusProfile;
}

export interface RunOptions {
  /** Queue before the bus's polls (fire-related; commands from rules always are). */
  urgent?: boolean;
  /** Wait before trying again after "server device busy". Default 500 ms. */
  busyRetryMs?: number;
  /** Pause between read-backs. Default 200 ms. */
  readBackEveryMs?: number;
}

/** Exception 05: accepted, still working on it (Modbus Application Protocol v1.1b3 §7). */
const ACKNOWLEDGE = 0x05;
/** Exception 06: not processed, busy with a long command; the client should send it again later. */
const SERVER_DEVICE_BUSY = 0x06;
/** Before the bus's ordinary polls (10), after fire-relevant ones (0) unless urgent. */
const COMMAND_PRIORITY = 5;
const URGENT_PRIORITY = 0;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one profile command on a device: the write, with retries only where the profile says the
 * command is idempotent, "busy" answers tried again until the time limit, then the read-back.
 * Never throws for what the device or the line does: the outcome says it. Parameters must have been
 * checked (checkParams) by the caller.
 */
export async function runCommand(target: CommandTarget, cmd: CommandDef, params: Readonly<Record<string, number>>, opts: RunOptions = {}): Promise<CommandOutcome> {
  const start = performance.now();
  const limitMs = cmd.confirm?.withinMs ?? 5000;
  const deadline = start + limitMs;
  const priority = opts.urgent || cmd.urgent ? URGENT_PRIORITY : COMMAND_PRIORITY;
  const request = commandRequest(cmd, target.unit, params);
  const done = (result: CommandResult, rest: Partial<CommandOutcome> = {}): CommandOutcome => ({
    command: cmd.name,
    result,
    ok: result === 'confirmed' || result === 'written',
    attempts,
    ms: Math.round(performance.now() - start),
    ...rest,
  });

  let attempts = 0;
  let acknowledged = false;
  for (;;) {
    attempts++;
    try {
      // A pulse (start a self-test) sent twice may run twice: only idempotent writes are retried.
      await target.bus.request(request, cmd.idempotent ? { priority } : { priority, retries: 0 });
      break;
    } catch (err) {
      if (err instanceof ModbusExceptionError && err.exceptionCode === ACKNOWLEDGE) {
        acknowledged = true;
        break;
      }
      if (err instanceof ModbusExceptionError && err.exceptionCode === SERVER_DEVICE_BUSY) {
        const wait = opts.busyRetryMs ?? 500;
        if (performance.now() + wait > deadline) return done('busy', { detail: `device busy for ${limitMs} ms` });
        await sleep(wait);
        continue;
      }
      if (err instanceof ModbusExceptionError) return done('refused', { detail: err.message });
      return done('no_answer', { detail: `${(err as Error).message}${isRetryable(err) && !cmd.idempotent ? ' (not retried: the command is not idempotent)' : ''}` });
    }
  }

  const expected = expectedReadBack(cmd, params);
  if (cmd.confirm === undefined || expected === undefined) {
    return done('written', acknowledged ? { detail: 'acknowledged (exception 05): the device is carrying it out' } : {});
  }
  const point = cmd.confirm.point;
  let value: number | boolean | undefined;
  let lastError: string | undefined;
  for (;;) {
    try {
      value = await readPoint(target, point, priority);
      lastError = undefined;
      if (matches(target.profile, point, value, expected)) return done('confirmed', { readBack: { point, expected, value } });
    } catch (err) {
      lastError = (err as Error).message;
    }
    const wait = opts.readBackEveryMs ?? 200;
    if (performance.now() + wait > deadline) break;
    await sleep(wait);
  }
  const shown = value === undefined ? 'could not be read' : `shows ${String(value)}`;
  return done('not_confirmed', {
    readBack: value === undefined ? { point, expected } : { point, expected, value },
    detail: `${point} ${shown} after ${limitMs} ms, expected ${String(expected)}${lastError ? ` (${lastError})` : ''}`,
  });
}

/** One point of the profile, read on its own and scaled (numbers) or polarity-corrected (booleans) as readings are. */
export async function readPoint(target: CommandTarget, name: string, priority = COMMAND_PRIORITY): Promise<number | boolean> {
  const { profile, bus, unit } = target;
  const span = spanOf(profile, name);
  const [block] = planReads([span], profile.reads);
  if (block === undefined) throw new Error(`no read for '${name}'`);
  const reply = await bus.request({ op: 'read', unit, area: block.area, address: block.address, count: block.count }, { priority });
  const raw = decodeBlock(block, reply, profile, unit).find((v) => v.point === name)?.raw;
  const spec = profilePointSpecs(profile).find((p) => p.name === name);
  if (raw === undefined || spec === undefined) throw new Error(`'${name}' did not decode`);
  // Scaled, limited and polarity-corrected by the same rules as readings.
  const { value } = pointValue(spec, raw);
  if (typeof value === 'string') throw new Error(`'${name}' is text, not a number or a state`);
  return value;
}

function spanOf(profile: ModbusProfile, name: string): Span<ReadItem> {
  const def = profile.points.find((p) => p.name === name);
  if (def !== undefined) {
    const bits = def.area === 'coil' || def.area === 'discrete';
    return { area: def.area, address: def.address, width: bits ? 1 : registerCount(def.type), item: { kind: 'point', def } };
  }
  const field = profile.bitFields.find((f) => f.bits.some((b) => b.name === name));
  if (field === undefined) throw new Error(`no point or bit '${name}' in profile ${profile.name}`);
  return { area: field.area, address: field.address, width: 1, item: { kind: 'bits', def: field } };
}

/** A number matches within half a step of its scale (a register holds whole steps); a boolean exactly. */
function matches(profile: ModbusProfile, name: string, value: number | boolean, expected: number | boolean): boolean {
  if (typeof expected === 'boolean' || typeof value === 'boolean') return value === expected;
  const step = Math.abs(profile.points.find((p) => p.name === name)?.scale ?? 1);
  return Math.abs(value - expected) <= step / 2 + 1e-9;
}
