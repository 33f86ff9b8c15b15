import t from 'tap';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import { BusDisconnectedError, ModbusExceptionError, ModbusTimeoutError } from '../../src/bus/modbus/errors.js';
import { freePort, waitFor } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { createPtyPair } from '../helpers/socat.js';

const init = {
  1: { holding: { 0: [100, 200, 300] }, coil: { 3: [1, 1] } },
  2: { input: { 0: [42] }, discrete: { 0: [0, 1] } },
};

t.test('RTU over a serial port (socat pty pair) to pymodbus', async (t) => {
  const pty = await createPtyPair('rtu');
  t.teardown(() => pty.close());
  const server = await startPymodbus({ mode: 'rtu', device: pty.b, baud: 19200, units: [1, 2], init });
  t.teardown(() => server.stop());
  const bus = createModbusBus({
    id: 'rs485-1',
    type: 'modbus-rtu',
    port: pty.a,
    baudRate: 19200,
    parity: 'none',
    dataBits: 8,
    stopBits: 1,
    timeoutMs: 300,
    retries: 0,
  });
  t.teardown(() => bus.close());
  await bus.open();
  t.ok(Math.abs(bus.interFrameGapMs - 2.005) < 0.001, '19200 baud: t3.5 of 11-bit characters');

  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 3 }), { registers: [100, 200, 300] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'input', address: 0, count: 1 }), { registers: [42] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'coil', address: 2, count: 4 }), { bits: [false, true, true, false] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'discrete', address: 0, count: 2 }), { bits: [false, true] });
  await bus.request({ op: 'writeRegisters', unit: 2, address: 10, values: [9, 8] });
  await bus.request({ op: 'writeRegister', unit: 2, address: 12, value: 7 });
  await bus.request({ op: 'writeCoil', unit: 2, address: 0, value: true });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'holding', address: 10, count: 3 }), { registers: [9, 8, 7] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'coil', address: 0, count: 1 }), { bits: [true] });
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'input', address: 198, count: 10 }), ModbusExceptionError);

  // Twenty back-to-back polls of two units: one at a time, nothing crossed.
  await server.command('set 2 holding 0 55');
  const polls = Array.from({ length: 20 }, (_, i) =>
    bus.request({ op: 'read', unit: (i % 2) + 1, area: 'holding', address: 0, count: 1 }),
  );
  const values = (await Promise.all(polls)).map((r) => r.registers![0]);
  t.same(values, Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 100 : 55)));

  // A slave that stops answering: timeouts counted, the other unit on the bus still answered.
  await server.command('mute 2');
  const [dead, alive] = await Promise.allSettled([
    bus.request({ op: 'read', unit: 2, area: 'input', address: 0, count: 1 }, { retries: 1, timeoutMs: 150 }),
    bus.request({ op: 'read', unit: 1, area: 'holding', address: 1, count: 1 }),
  ]);
  t.type((dead as PromiseRejectedResult).reason, ModbusTimeoutError);
  t.same((alive as PromiseFulfilledResult<unknown>).value, { registers: [200] });
  const c = bus.counters();
  t.equal(c.perUnit.get(2)?.timeouts, 2);
  t.equal(c.perUnit.get(2)?.retries, 1);
  t.equal(c.perUnit.get(1)?.timeouts, 0);
  t.equal(c.perUnit.get(1)?.crcErrors, 0);
  t.equal(c.perUnit.get(1)?.malformed, 0);
  await server.command('unmute 2');
  t.same(await bus.request({ op: 'read', unit: 2, area: 'input', address: 0, count: 1 }), { registers: [42] });
});

t.test('RTU over TCP (pymodbus TCP server with the RTU framer)', async (t) => {
  const port = await freePort();
  const server = await startPymodbus({ mode: 'rtu-over-tcp', port, units: [1, 2], init });
  t.teardown(() => server.stop());
  const bus = createModbusBus({
    id: 'devserver-1',
    type: 'modbus-rtu-over-tcp',
    host: '127.0.0.1',
    port,
    baudRate: 9600,
    timeoutMs: 300,
    retries: 0,
  });
  t.teardown(() => bus.close());
  await bus.open();
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 3 }), { registers: [100, 200, 300] });
  t.same(await bus.request({ op: 'read', unit: 2, area: 'discrete', address: 0, count: 2 }), { bits: [false, true] });
  await bus.request({ op: 'writeRegister', unit: 1, address: 1, value: 201 });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 1, count: 1 }), { registers: [201] });
  await t.rejects(bus.request({ op: 'read', unit: 5, area: 'holding', address: 0, count: 1 }, { timeoutMs: 100 }), ModbusTimeoutError);
  t.same(await bus.request({ op: 'read', unit: 2, area: 'input', address: 0, count: 1 }), { registers: [42] });
});

t.test('TCP link: fail fast while down, reconnect in the background', async (t) => {
  const port = await freePort();
  let server = await startPymodbus({ mode: 'tcp', port, units: [1], init: { 1: { holding: { 0: 1 } } } });
  t.teardown(() => server.stop());
  const bus = createModbusBus(
    { id: 'tcp-re', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 300, retries: 0 },
    { reconnect: { minMs: 50, maxMs: 200 } },
  );
  t.teardown(() => bus.close());
  await bus.open();
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), { registers: [1] });
  await server.stop();
  // Give the socket close a moment to reach the bus, then expect an immediate failure.
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), BusDisconnectedError);
  t.ok(Date.now() - started < 50, 'failed fast');
  server = await startPymodbus({ mode: 'tcp', port, units: [1], init: { 1: { holding: { 0: 2 } } } });
  await waitFor(() => bus.counters().reconnects === 1, 5000);
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), { registers: [2] });
});

t.test('open() of an unreachable TCP bus rejects but keeps trying', async (t) => {
  const port = await freePort();
  const bus = createModbusBus(
    { id: 'tcp-none', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 300, retries: 0 },
    { reconnect: { minMs: 50, maxMs: 100 } },
  );
  t.teardown(() => bus.close());
  await t.rejects(bus.open(), BusDisconnectedError);
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), BusDisconnectedError);
  const server = await startPymodbus({ mode: 'tcp', port, units: [1], init: { 1: { holding: { 0: 3 } } } });
  t.teardown(() => server.stop());
  await waitFor(async () => {
    try {
      return (await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 })).registers?.[0] === 3;
    } catch {
      return false;
    }
  }, 5000, 50);
  t.pass('connected once the server came up');
});
