import t from 'tap';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import { BusClosedError, ModbusExceptionError, ModbusTimeoutError } from '../../src/bus/modbus/errors.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';

t.test('Modbus TCP against pymodbus', async (t) => {
  const port = await freePort();
  const server = await startPymodbus({
    mode: 'tcp',
    port,
    units: [1, 2],
    init: {
      1: { holding: { 0: [11, 22, 33] }, input: { 10: [400, 401] }, coil: { 0: [1, 0, 1, 1] }, discrete: { 5: [1, 1, 0] } },
      2: { holding: { 0: 7 } },
    },
  });
  t.teardown(() => server.stop());
  const bus = createModbusBus({ id: 'tcp1', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 500, retries: 0 });
  t.teardown(() => bus.close());
  await bus.open();

  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 3 }), { registers: [11, 22, 33] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'input', address: 10, count: 2 }), { registers: [400, 401] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'coil', address: 0, count: 4 }), { bits: [true, false, true, true] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'discrete', address: 5, count: 3 }), { bits: [true, true, false] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'holding', address: 0, count: 1 }), { registers: [7] });

  await bus.request({ op: 'writeRegister', unit: 1, address: 5, value: 0xbeef });
  await bus.request({ op: 'writeRegisters', unit: 1, address: 6, values: [1, 2, 3] });
  await bus.request({ op: 'writeCoil', unit: 1, address: 9, value: true });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 5, count: 4 }), { registers: [0xbeef, 1, 2, 3] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'coil', address: 9, count: 1 }), { bits: [true] });

  // pymodbus has 200 addresses per area: reading past them is "illegal data address".
  const past = await bus.request({ op: 'read', unit: 1, area: 'holding', address: 199, count: 5 }).catch((e: unknown) => e);
  t.type(past, ModbusExceptionError);
  t.equal((past as ModbusExceptionError).code, 'MODBUS_EXCEPTION');
  t.equal((past as ModbusExceptionError).exceptionCode, 2);
  t.equal((past as ModbusExceptionError).exceptionName, 'illegal data address');

  // A unit pymodbus does not serve: 3.0.0rc1 drops the frame, so the master sees silence.
  const missing = await bus
    .request({ op: 'read', unit: 9, area: 'holding', address: 0, count: 1 }, { timeoutMs: 100, retries: 0 })
    .catch((e: unknown) => e);
  t.type(missing, ModbusTimeoutError);
  t.equal((missing as ModbusTimeoutError).code, 'MODBUS_TIMEOUT');

  const c = bus.counters();
  t.equal(c.perUnit.get(1)?.exceptions, 1, 'exception counted');
  t.equal(c.perUnit.get(1)?.requests, 10);
  t.equal(c.perUnit.get(1)?.responses, 10, 'exception replies are replies');
  t.equal(c.perUnit.get(1)?.retries, 0, 'exceptions are not retried');
  t.ok(c.perUnit.get(1)?.lastOkAt);
  t.equal(c.perUnit.get(9)?.timeouts, 1);
  t.equal(c.unsolicited, 0);

  await bus.close();
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), BusClosedError);
});

t.test('silent missing unit times out; the others are still answered', async (t) => {
  const port = await freePort();
  const server = await startPymodbus({ mode: 'tcp', port, units: [1], init: { 1: { holding: { 0: 5 } } } });
  t.teardown(() => server.stop());
  const bus = createModbusBus({ id: 'tcp2', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 150, retries: 1 });
  t.teardown(() => bus.close());
  await bus.open();
  const [dead, alive] = await Promise.allSettled([
    bus.request({ op: 'read', unit: 3, area: 'holding', address: 0, count: 1 }),
    bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }),
  ]);
  t.equal(dead.status, 'rejected');
  t.type((dead as PromiseRejectedResult).reason, ModbusTimeoutError);
  t.same((alive as PromiseFulfilledResult<unknown>).value, { registers: [5] });
  const c3 = bus.counters().perUnit.get(3)!;
  t.equal(c3.timeouts, 2, 'first attempt and one retry');
  t.equal(c3.retries, 1);
  t.match(c3.lastError, /^MODBUS_TIMEOUT/);
});
