import { Command, loopAndPoint, setFlags, type ApplicationDataUnit, type DecodedFrame } from '../uplink/gbt26875/index.js';

const COMMANDS: Record<number, string> = { 1: 'control', 2: 'send', 3: 'confirm', 4: 'request', 5: 'reply', 6: 'deny' };

const UNIT_NAMES: Record<number, string> = {
  1: 'system state',
  2: 'component state',
  3: 'analogue value',
  4: 'system operation',
  5: 'system software version',
  6: 'system configuration',
  7: 'component configuration',
  8: 'system time',
  21: 'transmission device state',
  24: 'transmission device operation',
  25: 'transmission device software version',
  26: 'transmission device configuration',
  28: 'transmission device time',
  61: 'read system state',
  62: 'read component state',
  63: 'read analogue value',
  64: 'read system operations',
  65: 'read system software version',
  66: 'read system configuration',
  67: 'read component configuration',
  68: 'read system time',
  81: 'read device state',
  84: 'read device operations',
  85: 'read device software version',
  86: 'read device configuration',
  88: 'read device time',
  89: 'initialise',
  90: 'clock sync',
  91: 'duty check',
};

function flags(f: object): string {
  const on = setFlags(f).filter((n) => n !== 'normal');
  const test = (f as { normal?: boolean }).normal === false ? ['TEST STATE'] : [];
  const all = [...test, ...on];
  return all.length === 0 ? 'normal' : all.join(', ');
}

function at(address: number): string {
  const { loop, point } = loopAndPoint(address);
  return `loop ${loop} point ${point}`;
}

/** One unit in plain words, for the simulator's log and the tests' failure messages. */
export function describeUnit(u: ApplicationDataUnit): string {
  const name = `${UNIT_NAMES[u.type] ?? `type ${u.type}`} (${u.type})`;
  switch (u.type) {
    case 1:
      return `${name}: ${u.states.map((s) => `system ${s.system.type}/${s.system.address}: ${flags(s.status)}`).join('; ')}`;
    case 2:
      return `${name}: ${u.components.map((c) => `component type ${c.componentType} at ${at(c.address)} "${c.description}": ${flags(c.status)}`).join('; ')}`;
    case 3:
      return `${name}: ${u.values.map((v) => `analogue type ${v.analogueType} = ${v.value} at ${at(v.address)}`).join('; ')}`;
    case 4:
    case 24:
      return `${name}: ${u.operations.map((o) => `${setFlags(o.flags).join(', ') || 'none'} by operator ${o.operator}`).join('; ')}`;
    case 21:
      return `${name}: ${flags(u.state.status)}`;
    case 5:
    case 25:
      return `${name}: ${u.version.major}.${u.version.minor}`;
    case 26:
      return `${name}: ${u.description}`;
    case 6:
      return `${name}: ${u.systems.map((x) => x.description).join('; ')}`;
    case 7:
      return `${name}: ${u.components.map((c) => `type ${c.componentType} at ${at(c.address)} "${c.description}"`).join('; ')}`;
    case 28:
    case 8:
      return `${name}: ${u.time.toISOString()}`;
    case 90:
      return `${name}: ${u.time.toISOString()}`;
    case 91:
      return `${name}: answer within ${u.timeoutMinutes} min`;
    default:
      return name;
  }
}

/** One frame in plain words: "send #1234 1001→0: component state (2): …". */
export function describeFrame(f: DecodedFrame, unit: ApplicationDataUnit | undefined, error?: string): string {
  const head = `${COMMANDS[f.command] ?? `command ${f.command}`} #${f.serial} ${f.source}→${f.destination}`;
  if (f.command === Command.confirm || f.command === Command.deny) return head;
  if (unit !== undefined) return `${head}: ${describeUnit(unit)}`;
  return error === undefined ? head : `${head}: unreadable data (${error})`;
}
