import t from 'tap';
import { scanBus, type ScanProgress } from '../../src/bus/modbus/scan.js';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { createPtyPair } from '../helpers/socat.js';

t.test('Modbus TCP: finds exactly the units pymodbus serves, with progress', async (t) => {
  const port = await freePort();
  const server = await startPymodbus({ mode: 'tcp', port, units: [3, 7] });
  t.teardown(() => server.stop());
  const progress: ScanProgress[] = [];
  const hits = await scanBus({
    bus: { id: 'tcp', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 500, retries: 0 },
    from: 1,
    to: 10,
    timeoutMs: 300,
    onProgress: (p) => progress.push(p),
  });
  t.same(hits, [
    { unit: 3, reply: 'ok' },
    { unit: 7, reply: 'ok' },
  ]);
  t.equal(progress.length, 10);
  t.same(progress.at(-1), { done: 10, total: 10, unit: 10, found: 2 });
});

t.test('RTU on a serial port: re-opened at each baud rate (socat pty pair to pymodbus)', async (t) => {
  const pty = await createPtyPair('scan');
  t.teardown(() => pty.close());
  const server = await startPymodbus({ mode: 'rtu', device: pty.b, baud: 9600, units: [2, 4] });
  t.teardown(() => server.stop());
  const opened: number[] = [];
  const hits = await scanBus({
    bus: { id: 'rs485', type: 'modbus-rtu', port: pty.a, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 300, retries: 0 },
    from: 1,
    to: 5,
    baudRates: [9600, 19200],
    timeoutMs: 300,
    createBus: (cfg) => {
      if (cfg.type === 'modbus-rtu') opened.push(cfg.baudRate);
      return createModbusBus(cfg);
    },
  });
  t.same(opened, [9600, 19200], 'one fresh bus per baud rate');
  // A pty does not enforce the line speed, so the slaves answer at both rates here; on a real
  // RS-485 line the wrong rate gives silence or garbled replies.
  t.same(
    hits.map((h) => `${h.unit}@${h.baudRate}`),
    ['2@9600', '4@9600', '2@19200', '4@19200'],
  );
});

t.test('a bad range is refused before anything is sent', async (t) => {
  await t.rejects(
    scanBus({ bus: { id: 'x', type: 'modbus-rtu', port: '/dev/null', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 100, retries: 0 }, from: 0, to: 10 }),
    { code: 'SCAN_BAD_RANGE' },
  );
});

t.test('an unreachable TCP bus fails the scan with the bus error', async (t) => {
  const port = await freePort();
  await t.rejects(scanBus({ bus: { id: 'tcp', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 200, retries: 0 }, from: 1, to: 2 }));
});
