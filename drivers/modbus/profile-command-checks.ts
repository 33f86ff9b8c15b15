import type { CommandDef, ModbusProfile, ProfileFinding } from './profile-types.js';

const MAX_COILS = 1968;
const MAX_REGISTERS = 123;

/**
 * Rules for a profile's commands that the schema cannot express: one source for the written value,
 * values of the right kind for the area, a function code that fits, a read-back of a point that
 * exists and with a value of its kind, and never a safety-relevant command that rules may run.
 */
export function checkCommands(profile: ModbusProfile): ProfileFinding[] {
  const findings: ProfileFinding[] = [];
  const pointTypes = new Map<string, 'bool' | 'number'>();
  for (const p of profile.points) pointTypes.set(p.name, p.type === 'bool' ? 'bool' : 'number');
  for (const f of profile.bitFields) for (const b of f.bits) pointTypes.set(b.name, 'bool');
  const names = new Map<string, number>();
  profile.commands.forEach((cmd, i) => {
    const add = (segments: (string | number)[], message: string) => findings.push({ segments: ['commands', i, ...segments], message });
    const first = names.get(cmd.name);
    if (first !== undefined) add(['name'], `duplicate command name '${cmd.name}' (also commands[${first}])`);
    else names.set(cmd.name, i);
    checkCommand(cmd, pointTypes, add);
  });
  return findings;
}

function checkCommand(cmd: CommandDef, pointTypes: Map<string, 'bool' | 'number'>, add: (segments: (string | number)[], message: string) => void): void {
  const w = cmd.write;
  const sources = [w.value !== undefined, w.values !== undefined, w.param !== undefined].filter(Boolean).length;
  if (sources !== 1) add(['write'], 'set exactly one of value, values or param');
  const coil = w.area === 'coil';
  const fits = (v: number | boolean): boolean => (coil ? typeof v === 'boolean' : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff);
  const kind = coil ? 'true or false (a coil)' : 'an integer 0-65535 (a raw register value)';
  if (w.value !== undefined && !fits(w.value)) add(['write', 'value'], `must be ${kind}, got ${JSON.stringify(w.value)}`);
  w.values?.forEach((v, j) => {
    if (!fits(v)) add(['write', 'values', j], `must be ${kind}, got ${JSON.stringify(v)}`);
  });
  const count = w.values?.length ?? 1;
  if (count > (coil ? MAX_COILS : MAX_REGISTERS)) add(['write', 'values'], `at most ${coil ? MAX_COILS : MAX_REGISTERS} per write`);
  if (w.address + count > 0x10000) add(['write', 'address'], `${count} values from ${w.address} run past 65535`);
  if (w.function !== undefined) {
    const single = w.function === 5 || w.function === 6;
    const forCoils = w.function === 5 || w.function === 15;
    if (forCoils !== coil) add(['write', 'function'], `function ${w.function} writes ${forCoils ? 'coils' : 'holding registers'}, not the ${w.area} area`);
    if (single && w.values !== undefined) add(['write', 'function'], `function ${w.function} writes one value; use ${coil ? 15 : 16} for a block`);
  }

  const params = new Map<string, number>();
  cmd.params.forEach((p, j) => {
    if (params.has(p.name)) add(['params', j, 'name'], `duplicate parameter '${p.name}'`);
    params.set(p.name, j);
    if (p.min >= p.max) add(['params', j, 'max'], `must be greater than min (${p.min}), got ${p.max}`);
    if (p.scale === 0) add(['params', j, 'scale'], 'must not be 0');
    if (p.name !== w.param) add(['params', j], `parameter '${p.name}' is not written (write.param names '${w.param ?? 'none'}')`);
  });
  if (w.param !== undefined && !params.has(w.param)) add(['write', 'param'], `no parameter '${w.param}' in params`);
  if (w.param !== undefined && coil) add(['write', 'param'], 'a coil takes true or false: write a fixed value, or a holding register for a parameter');

  if (cmd.safety && cmd.fromRules) add(['fromRules'], 'a safety-relevant command needs a person to confirm it: no rule may run it');

  const c = cmd.confirm;
  if (c !== undefined) {
    const type = pointTypes.get(c.point);
    if (type === undefined) add(['confirm', 'point'], `no point or bit '${c.point}' in this profile`);
    if (c.equals === undefined && w.param === undefined) add(['confirm', 'equals'], 'say what the point shows once the command took effect');
    if (c.equals !== undefined && type !== undefined && (typeof c.equals === 'boolean') !== (type === 'bool')) {
      add(['confirm', 'equals'], `'${c.point}' is ${type === 'bool' ? 'a boolean' : 'a number'}, got ${JSON.stringify(c.equals)}`);
    }
    if (c.equals === undefined && w.param !== undefined && type === 'bool') add(['confirm', 'equals'], `'${c.point}' is a boolean: say which state confirms`);
  }
}
