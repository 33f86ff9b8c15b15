import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import { BusDisconnectedError, ModbusCrcError, ModbusExceptionError, ModbusTimeoutError } from '../../src/bus/modbus/errors.js';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import { startModbusTcpServer } from '../../src/bus/modbus/tcp-server.js';

const run = promisify(execFile);

function field(): RegisterMap {
  return new RegisterMap(100)
    .addUnit(1, { holding: { 0: [10, 20, 30] }, coil: { 0: [true, false, true] } })
    .addUnit(2, { input: { 5: 77 }, discrete: { 1: true } });
}

t.test('sim bus reads and writes the register map', async (t) => {
  const map = field();
  const bus = createSimBus({ map });
  t.teardown(() => bus.close());
  await bus.open();
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 3 }), { registers: [10, 20, 30] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'coil', address: 0, count: 3 }), { bits: [true, false, true] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'discrete', address: 0, count: 2 }), { bits: [false, true] });
  map.set(2, 'input', 5, 78);
  t.same(await bus.request({ op: 'read', unit: 2, area: 'input', address: 5, count: 1 }), { registers: [78] });
  const changes: string[] = [];
  map.onChange((c) => changes.push(`${c.unit}/${c.area}/${c.address}/${c.byMaster}`));
  await bus.request({ op: 'writeRegisters', unit: 1, address: 3, values: [4, 5] });
  await bus.request({ op: 'writeCoil', unit: 1, address: 1, value: true });
  t.same(map.get(1, 'holding', 3, 2), [4, 5]);
  t.same(map.get(1, 'coil', 1), [1]);
  t.same(changes, ['1/holding/3/true', '1/coil/1/true']);
  const err = await bus.request({ op: 'read', unit: 1, area: 'holding', address: 99, count: 2 }).catch((e: unknown) => e);
  t.match(err, { code: 'MODBUS_EXCEPTION', exceptionCode: 2 });
  await t.rejects(bus.request({ op: 'read', unit: 3, area: 'holding', address: 0, count: 1 }, { timeoutMs: 20 }), ModbusTimeoutError);
});

t.test('sim bus fault injection', async (t) => {
  const bus = createSimBus({ map: field(), latencyMs: 2, retries: 1, timeoutMs: 30 });
  t.teardown(() => bus.close());
  await bus.open();
  bus.line.inject({ unit: 1, kind: 'crc', times: 1 });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), { registers: [10] });
  bus.line.inject({ unit: 1, kind: 'crc', times: 2 });
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), ModbusCrcError);
  bus.line.inject({ unit: 2, kind: 'exception', exceptionCode: 6, times: 1 });
  await t.rejects(bus.request({ op: 'read', unit: 2, area: 'input', address: 5, count: 1 }), ModbusExceptionError);
  bus.line.inject({ unit: 2, kind: 'garbage', times: 1 });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'input', address: 5, count: 1 }), { registers: [77] });
  bus.line.inject({ unit: 2, kind: 'timeout' });
  const [dead, alive] = await Promise.allSettled([
    bus.request({ op: 'read', unit: 2, area: 'input', address: 5, count: 1 }),
    bus.request({ op: 'read', unit: 1, area: 'holding', address: 1, count: 1 }),
  ]);
  t.type((dead as PromiseRejectedResult).reason, ModbusTimeoutError);
  t.same((alive as PromiseFulfilledResult<unknown>).value, { registers: [20] });
  const c = bus.counters();
  t.match(c.perUnit.get(1), { crcErrors: 3, retries: 2, responses: 2 });
  t.match(c.perUnit.get(2), { exceptions: 1, malformed: 1, timeouts: 2, retries: 1 });
  bus.line.setConnected(false);
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), BusDisconnectedError);
  bus.line.setConnected(true);
  t.equal(bus.counters().reconnects, 1);
});

t.test('in-process Modbus TCP server: our bus and mbpoll (an independent master) agree', async (t) => {
  const map = field();
  const server = await startModbusTcpServer({ map });
  t.teardown(() => server.close());
  const bus = createModbusBus({ id: 'demo', type: 'modbus-tcp', host: '127.0.0.1', port: server.port, timeoutMs: 300, retries: 0 });
  t.teardown(() => bus.close());
  await bus.open();
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 3 }), { registers: [10, 20, 30] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'discrete', address: 0, count: 2 }), { bits: [false, true] });
  await bus.request({ op: 'writeRegister', unit: 2, address: 0, value: 4242 });
  t.same(map.get(2, 'holding', 0), [4242]);
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 98, count: 5 }), ModbusExceptionError);
  await t.rejects(bus.request({ op: 'read', unit: 9, area: 'holding', address: 0, count: 1 }, { timeoutMs: 50 }), ModbusTimeoutError);

  // mbpoll: -0 makes references zero-based, -1 polls once, -t4 is holding registers (decimal).
  const { stdout } = await run('mbpoll', ['-m', 'tcp', '-p', String(server.port), '-a', '1', '-0', '-r', '0', '-c', '3', '-t', '4', '-1', '127.0.0.1'], { timeout: 5000 });
  t.match(stdout, /\[0\]:\s+10\s[\s\S]*\[1\]:\s+20\s[\s\S]*\[2\]:\s+30/);
  await run('mbpoll', ['-m', 'tcp', '-p', String(server.port), '-a', '2', '-0', '-r', '3', '-t', '0', '127.0.0.1', '1', '0', '1'], { timeout: 5000 });
  t.same(map.get(2, 'coil', 3, 3), [1, 0, 1], 'mbpoll wrote coils (function 15)');
});

t.test('in-process server with RTU framing stands in for a serial device server', async (t) => {
  const server = await startModbusTcpServer({ map: field(), framing: 'rtu' });
  t.teardown(() => server.close());
  const bus = createModbusBus({ id: 'ds', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: server.port, baudRate: 9600, timeoutMs: 300, retries: 0 });
  t.teardown(() => bus.close());
  await bus.open();
  t.same(await bus.request({ op: 'read', unit: 2, area: 'input', address: 5, count: 1 }), { registers: [77] });
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'input', address: 99, count: 2 }), ModbusExceptionError);
});
