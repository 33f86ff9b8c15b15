import t from 'tap';
import { ModbusExceptionError, ModbusMalformedError, ModbusTimeoutError } from '../../src/bus/modbus/errors.js';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import type { ModbusBus, ModbusRequest, ModbusResponse, RequestOptions } from '../../src/bus/modbus/types.js';
import { encodeValue } from './decode.js';
import { createModbusDriver } from './driver.js';
import { loadProfileSync, parseProfile, shippedProfileDir } from './profile.js';

/** A scripted bus: each read is answered by `answer`, and every request is recorded. */
function fakeBus(answer: (req: Extract<ModbusRequest, { op: 'read' }>) => ModbusResponse | Error): ModbusBus & { log: [ModbusRequest, RequestOptions | undefined][] } {
  const log: [ModbusRequest, RequestOptions | undefined][] = [];
  return {
    id: 'fake',
    log,
    open: async () => {},
    close: async () => {},
    counters: () => ({ perUnit: new Map(), unsolicited: 0, reconnects: 0 }),
    queueDepth: () => 0,
    async request(req, opts) {
      log.push([req, opts]);
      if (req.op !== 'read') throw new Error('read only');
      const r = answer(req);
      if (r instanceof Error) throw r;
      return r;
    },
  };
}

const profile = parseProfile(
  `model: T
kind: io
points:
  - { name: a, area: input, address: 0, type: int16 }
  - { name: b, area: input, address: 1, type: float32, wordOrder: little }
  - { name: c, area: holding, address: 10, type: uint32 }
  - { name: d, area: coil, address: 3, type: bool }
bitFields:
  - { area: input, address: 3, bits: [{ bit: 0, name: alarm, role: alarm }, { bit: 2, name: fault, role: fault }] }
`,
  '/p/t.yaml',
);

const registers: Record<string, number[]> = {
  input: [0xff38, ...encodeValue(-1.5, 'float32', 'big', 'little'), 0b101],
  holding: encodeValue(70000, 'uint32'),
};
const healthy = (req: Extract<ModbusRequest, { op: 'read' }>): ModbusResponse =>
  req.area === 'coil' ? { bits: [true] } : { registers: registers[req.area]!.slice(0, req.count) };

t.test('reads every block and returns raw values, unscaled', async (t) => {
  const bus = fakeBus(healthy);
  const driver = createModbusDriver(profile, bus, 7);
  t.same(driver.points.map((p) => p.name), ['a', 'b', 'c', 'd', 'alarm', 'fault']);
  const values = await driver.read({ priority: 0 });
  t.same(values, [
    { point: 'd', raw: true },
    { point: 'a', raw: -200 },
    { point: 'b', raw: -1.5 },
    { point: 'alarm', raw: true },
    { point: 'fault', raw: true },
    { point: 'c', raw: 70000 },
  ]);
  t.same(
    bus.log.map(([r, o]) => [r, o]),
    [
      [{ op: 'read', unit: 7, area: 'coil', address: 3, count: 1 }, { priority: 0 }],
      [{ op: 'read', unit: 7, area: 'input', address: 0, count: 4 }, { priority: 0 }],
      [{ op: 'read', unit: 7, area: 'holding', address: 10, count: 2 }, { priority: 0 }],
    ],
  );
});

t.test('an exception reply to one block: the other blocks are still reported', async (t) => {
  const bus = fakeBus((req) => (req.area === 'holding' ? new ModbusExceptionError(7, 3, 2) : healthy(req)));
  const values = await createModbusDriver(profile, bus, 7).read();
  t.same(values.map((v) => v.point), ['d', 'a', 'b', 'alarm', 'fault']);
  t.equal(bus.log.length, 3);
});

t.test('nothing readable: rejects with the bus error', async (t) => {
  const exception = new ModbusExceptionError(7, 4, 2);
  const bus = fakeBus(() => exception);
  await t.rejects(createModbusDriver(profile, bus, 7).read(), exception);
  t.equal(bus.log.length, 3, 'an exception is an answer: the other blocks are still tried');
});

t.test('a timeout ends the poll at once, so a dead device does not hold the bus', async (t) => {
  const timeout = new ModbusTimeoutError(7, 300);
  const bus = fakeBus(() => timeout);
  await t.rejects(createModbusDriver(profile, bus, 7).read(), timeout);
  t.equal(bus.log.length, 1);
  // After a successful block, a timeout still stops, but what was read is kept.
  let n = 0;
  const bus2 = fakeBus((req) => (n++ === 0 ? healthy(req) : timeout));
  t.same((await createModbusDriver(profile, bus2, 7).read()).map((v) => v.point), ['d']);
  t.equal(bus2.log.length, 2);
});

t.test('a short reply is malformed, not a crash', async (t) => {
  const bus = fakeBus(() => ({ registers: [1], bits: [] }));
  await t.rejects(createModbusDriver(profile, bus, 7).read(), ModbusMalformedError);
});

t.test('a float NaN is left out (no value), the rest is reported', async (t) => {
  const bus = fakeBus((req) => (req.area === 'input' ? { registers: [0, 0x0000, 0x7fc0, 0] } : healthy(req)));
  const points = (await createModbusDriver(profile, bus, 7).read()).map((v) => v.point);
  t.notOk(points.includes('b'));
  t.ok(points.includes('a'));
});

t.test('the residual current profile against the simulated bus', async (t) => {
  const rcd = loadProfileSync(`${shippedProfileDir()}/example-residual-current-detector.yaml`);
  const map = new RegisterMap(1000).addUnit(5, {
    input: { 0: [312, 255, 0xfff6, 0, 0, 0b1001, ...encodeValue(12.5, 'float32', 'big', 'little')] },
    holding: { 256: 300 },
  });
  const bus = createSimBus({ map });
  await bus.open();
  t.teardown(() => bus.close());
  const values = Object.fromEntries((await createModbusDriver(rcd, bus, 5).read()).map((v) => [v.point, v.raw]));
  t.same(values, {
    residual_current: 312,
    cable_temperature_1: 255,
    cable_temperature_2: -10,
    cable_temperature_3: 0,
    cable_temperature_4: 0,
    load_current: 12.5,
    residual_current_alarm: true,
    temperature_alarm: false,
    device_fault: false,
    current_sensor_open: true,
    temperature_sensor_open: false,
    temperature_sensor_short: false,
    mains_failure: false,
    device_alarm_setting: 300,
  });

  // A device without the holding register answers "illegal data address": the inputs still arrive.
  const small = new RegisterMap(200).addUnit(5, { input: { 0: 42 } });
  const bus2 = createSimBus({ map: small });
  await bus2.open();
  t.teardown(() => bus2.close());
  const partial = await createModbusDriver(rcd, bus2, 5).read();
  t.equal(partial.find((v) => v.point === 'residual_current')?.raw, 42);
  t.notOk(partial.some((v) => v.point === 'device_alarm_setting'));
});
