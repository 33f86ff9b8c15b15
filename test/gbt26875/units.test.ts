import t from 'tap';
import {
  componentStatus,
  decodeComponentStatus,
  decodeSystemStatus,
  decodeUnit,
  encodeComponentStatus,
  setFlags,
  deviceOperation,
  deviceStatus,
  encodeUnit,
  Gbt26875Error,
  isKnownUnitType,
  maxObjects,
  REPLY_TYPE,
  systemOperation,
  systemStatus,
  type ApplicationDataUnit,
  type UnitType,
} from '../../src/uplink/gbt26875/index.js';
import { cst } from './fixtures.js';

const time = cst(2026, 5, 4, 3, 2, 1);
const sys = { type: 1, address: 2 };
const comp = { system: sys, address: 0x00020007 };

/** One unit of every type hearth encodes and decodes, with the size §8.3 gives it. */
const EXAMPLES: [ApplicationDataUnit, number][] = [
  [{ type: 1, states: [{ system: sys, status: systemStatus({ fire: true, mainPowerFault: true, manualMode: true }), time }] }, 2 + 10],
  [{ type: 2, components: [{ ...comp, componentType: 42, status: componentStatus({ fire: true, powerFault: true }), description: '走廊 smoke 1', time }] }, 2 + 46],
  [{ type: 3, values: [{ ...comp, componentType: 17, analogueType: 128, value: 512, time }, { ...comp, componentType: 18, analogueType: 3, value: -405, time }] }, 2 + 2 * 16],
  [{ type: 4, operations: [{ system: sys, flags: systemOperation({ acknowledge: true }), operator: 3, time }] }, 2 + 10],
  [{ type: 5, system: sys, version: { major: 2, minor: 14 } }, 2 + 4],
  [{ type: 6, systems: [{ system: sys, description: '火灾报警系统 hearth' }, { system: { type: 0, address: 0 }, description: '' }] }, 2 + (2 + 1 + 19) + 3],
  [{ type: 7, components: [{ ...comp, componentType: 17, description: '配电箱 RCD' }] }, 2 + 38],
  [{ type: 8, system: sys, time }, 2 + 8],
  [{ type: 21, state: { status: deviceStatus({ communicationFault: true, fault: true }), time } }, 2 + 7],
  [{ type: 24, operations: [{ flags: deviceOperation({ dutyCheckAnswer: true }), operator: 1, time }, { flags: deviceOperation({ reset: true, silence: true }), operator: 0, time }] }, 2 + 16],
  [{ type: 25, version: { major: 0, minor: 1 } }, 2 + 2],
  [{ type: 26, description: 'hearth 0.1.0 网关' }, 2 + 1 + 17],
  [{ type: 28, time }, 2 + 6],
  [{ type: 61, systems: [sys, { type: 10, address: 1 }] }, 2 + 4],
  [{ type: 62, components: [comp] }, 2 + 6],
  [{ type: 63, components: [comp, comp] }, 2 + 12],
  [{ type: 64, system: sys, query: { count: 20, from: time } }, 2 + 9],
  [{ type: 65, system: sys }, 2 + 2],
  [{ type: 66, systems: [sys] }, 2 + 2],
  [{ type: 67, components: [comp] }, 2 + 6],
  [{ type: 68, system: sys }, 2 + 2],
  [{ type: 81 }, 3],
  [{ type: 84, query: { count: 102, from: time } }, 2 + 7],
  [{ type: 85 }, 3],
  [{ type: 86 }, 3],
  [{ type: 88 }, 3],
  [{ type: 89 }, 3],
  [{ type: 90, time }, 2 + 6],
  [{ type: 91, timeoutMinutes: 10 }, 3],
];

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof Gbt26875Error ? err.code : `untyped: ${String(err)}`;
  }
  return undefined;
};

t.test('every type round-trips, with the length §8.3 gives it', async (t) => {
  for (const [unit, size] of EXAMPLES) {
    const bytes = encodeUnit(unit);
    t.equal(bytes.length, size, `type ${unit.type}: ${size} bytes`);
    t.equal(bytes[0], unit.type, 'type flag first');
    t.same(decodeUnit(bytes), unit, `type ${unit.type} round trip`);
  }
  const covered = new Set(EXAMPLES.map(([u]) => u.type));
  for (let type = 0; type < 256; type++) t.equal(isKnownUnitType(type), covered.has(type as UnitType), `type ${type}`);
});

t.test('reads are answered with the type of the same information', async (t) => {
  t.same(REPLY_TYPE, { 61: 1, 62: 2, 63: 3, 64: 4, 65: 5, 66: 6, 67: 7, 68: 8, 81: 21, 84: 24, 85: 25, 86: 26, 88: 28 });
});

t.test('a full unit of each list type fits in one frame; one more object is refused', async (t) => {
  const fullest: ApplicationDataUnit[] = [
    { type: 1, states: Array(maxObjects(1)).fill({ system: sys, status: systemStatus(), time }) },
    { type: 2, components: Array(maxObjects(2)).fill({ ...comp, componentType: 40, status: componentStatus(), description: '中'.repeat(20), time }) },
    { type: 3, values: Array(maxObjects(3)).fill({ ...comp, componentType: 17, analogueType: 128, value: 1, time }) },
    { type: 24, operations: Array(maxObjects(24)).fill({ flags: deviceOperation(), operator: 0, time }) },
    { type: 7, components: Array(maxObjects(7)).fill({ ...comp, componentType: 17, description: 'x' }) },
    { type: 6, systems: Array(maxObjects(6)).fill({ system: sys, description: 'x'.repeat(300) }) },
  ];
  for (const unit of fullest) {
    t.ok(encodeUnit(unit).length <= 1024, `type ${unit.type}: ${encodeUnit(unit).length} bytes`);
    const list = Object.values(unit).find(Array.isArray) as unknown[];
    list.push(list[0]);
    t.equal(code(() => encodeUnit(unit)), 'GBT26875_OBJECT_COUNT', `type ${unit.type}: one too many`);
  }
  t.equal(code(() => encodeUnit({ type: 2, components: [] })), 'GBT26875_OBJECT_COUNT', 'none');
});

t.test('fields outside their bytes are refused when encoding', async (t) => {
  t.equal(code(() => encodeUnit({ type: 61, systems: [{ type: 256, address: 0 }] })), 'GBT26875_RANGE');
  t.equal(code(() => encodeUnit({ type: 62, components: [{ system: sys, address: 2 ** 32 }] })), 'GBT26875_RANGE');
  t.equal(code(() => encodeUnit({ type: 3, values: [{ ...comp, componentType: 17, analogueType: 128, value: 40000, time }] })), 'GBT26875_RANGE');
  t.equal(code(() => encodeUnit({ type: 91, timeoutMinutes: 256 })), 'GBT26875_RANGE');
  t.equal(code(() => encodeUnit({ type: 99 } as unknown as ApplicationDataUnit)), 'GBT26875_UNKNOWN_TYPE');
});

t.test('bad input is refused when decoding, each with its code', async (t) => {
  const fire = encodeUnit(EXAMPLES[1]![0]);
  t.equal(code(() => decodeUnit(Buffer.alloc(0))), 'GBT26875_TRUNCATED');
  t.equal(code(() => decodeUnit(Buffer.from([2]))), 'GBT26875_TRUNCATED');
  t.equal(code(() => decodeUnit(fire.subarray(0, fire.length - 1))), 'GBT26875_TRUNCATED');
  t.equal(code(() => decodeUnit(Buffer.concat([fire, Buffer.from([0])]))), 'GBT26875_TRAILING_BYTES');
  t.equal(code(() => decodeUnit(Buffer.from([2, 0]))), 'GBT26875_OBJECT_COUNT', 'count 0');
  t.equal(code(() => decodeUnit(Buffer.from([2, 23]))), 'GBT26875_OBJECT_COUNT', 'count above 22');
  t.equal(code(() => decodeUnit(Buffer.from([89, 2, 0, 0]))), 'GBT26875_OBJECT_COUNT', 'type 89 fixes the count at 1');
  t.equal(code(() => decodeUnit(Buffer.from([0, 1]))), 'GBT26875_UNKNOWN_TYPE', 'reserved 0');
  t.equal(code(() => decodeUnit(Buffer.from([200, 1, 0]))), 'GBT26875_UNKNOWN_TYPE', 'user-defined');
  t.equal(code(() => decodeUnit(Buffer.from([90, 1, 0, 0, 0, 31, 2, 26]))), 'GBT26875_TIME_TAG', '31 February');
  t.equal(code(() => decodeUnit(Buffer.from([28, 1, 60, 0, 0, 1, 1, 26]))), 'GBT26875_TIME_TAG', 'second 60');
  t.equal(code(() => decodeUnit(Buffer.from([6, 1, 1, 1, 5, 0x41]))), 'GBT26875_TRUNCATED', 'text shorter than its length byte');
});

t.test('flags read as names, for logs', async (t) => {
  t.same(setFlags(decodeSystemStatus(0x0103)), ['normal', 'fire', 'mainPowerFault']);
  t.same(setFlags(decodeComponentStatus(encodeComponentStatus(componentStatus({ fault: true })))), ['normal', 'fault']);
});

t.test('reserved bits and reserved bytes are ignored when reading', async (t) => {
  t.same(decodeUnit(Buffer.from([81, 1, 7])), { type: 81 });
  const withReserved = encodeUnit({ type: 21, state: { status: deviceStatus(), time } });
  withReserved[2]! |= 0x80;
  t.same(decodeUnit(withReserved), { type: 21, state: { status: deviceStatus(), time } });
});
