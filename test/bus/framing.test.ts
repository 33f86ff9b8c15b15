import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { crc16modbus } from '../../src/bus/modbus/crc16.js';
import { ModbusMalformedError, ModbusRequestError, isRetryable, ModbusTimeoutError, ModbusExceptionError } from '../../src/bus/modbus/errors.js';
import { characterBits, interFrameGapMs } from '../../src/bus/modbus/frame-timing.js';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import { backoffDelay } from '../../src/retry/backoff.js';
import { encodeRequestPdu } from '../../src/bus/modbus/pdu.js';

t.test('inter-frame gap (t3.5)', async (t) => {
  t.equal(characterBits({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }), 10);
  t.equal(characterBits({ baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1 }), 11);
  const near = (a: number, b: number) => Math.abs(a - b) < 0.001;
  // 8N1 is counted as the spec's 11-bit character: 3.5 * 11 / 9600 s.
  t.ok(near(interFrameGapMs({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }), 4.0104));
  t.ok(near(interFrameGapMs({ baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1 }), 4.0104));
  t.ok(near(interFrameGapMs({ baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 2 }), 4.375));
  t.ok(near(interFrameGapMs({ baudRate: 4800 }), 8.0208));
  t.ok(near(interFrameGapMs({ baudRate: 19200 }), 2.0052));
  t.equal(interFrameGapMs({ baudRate: 38400 }), 1.75);
  t.equal(interFrameGapMs({ baudRate: 115200 }), 1.75);
  t.throws(() => interFrameGapMs({ baudRate: 0 }));
});

t.test('CRC-16/MODBUS and request PDUs', async (t) => {
  // The spec's worked example: 01 03 00 00 00 0A → CRC C5 CD (sent low byte first).
  const frame = Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]);
  t.equal(crc16modbus(frame), 0xcdc5);
  t.same([...encodeRequestPdu({ op: 'read', unit: 1, area: 'holding', address: 0, count: 10 })], [3, 0, 0, 0, 10]);
  t.same([...encodeRequestPdu({ op: 'writeCoil', unit: 1, address: 0xac, value: true })], [5, 0, 0xac, 0xff, 0]);
  t.same([...encodeRequestPdu({ op: 'writeRegisters', unit: 1, address: 1, values: [0x000a, 0x0102] })], [0x10, 0, 1, 0, 2, 4, 0, 0x0a, 1, 2]);
  // §6.11: 10 coils from 20 (0x13), ON-OFF-ON-ON-OFF-OFF-ON-ON then ON-OFF: bytes 0xCD 0x01.
  t.same(
    [...encodeRequestPdu({ op: 'writeCoils', unit: 1, address: 0x13, values: [true, false, true, true, false, false, true, true, true, false] })],
    [0x0f, 0, 0x13, 0, 0x0a, 2, 0xcd, 0x01],
  );
});

t.test('retry policy branches on class', async (t) => {
  t.ok(isRetryable(new ModbusTimeoutError(1, 10)));
  t.ok(isRetryable(new ModbusMalformedError(1, 'x')));
  t.notOk(isRetryable(new ModbusExceptionError(1, 3, 2)));
  t.notOk(isRetryable(new Error('MODBUS_TIMEOUT')));
});

t.test('link reconnect back-off (upper half of the window) grows, is jittered, and is capped', async (t) => {
  const policy = { minMs: 100, maxMs: 1000, jitter: 0.5, floorMs: 0 };
  t.equal(backoffDelay(0, policy, () => 0), 50);
  t.equal(backoffDelay(0, policy, () => 1), 100);
  t.equal(backoffDelay(3, policy, () => 1), 800);
  t.equal(backoffDelay(20, policy, () => 1), 1000);
});

t.test('bad requests are refused before anything is sent', async (t) => {
  const bus = createModbusBus({ id: 'x', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: 1, baudRate: 9600, timeoutMs: 10, retries: 0 });
  await t.rejects(bus.request({ op: 'read', unit: 0, area: 'holding', address: 0, count: 1 }), ModbusRequestError);
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 126 }), ModbusRequestError);
  await t.rejects(bus.request({ op: 'writeRegister', unit: 1, address: 0, value: 70000 }), ModbusRequestError);
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'coil', address: 65535, count: 2 }), ModbusRequestError);
  await bus.close();
});

t.test('Modbus TCP: wrong transaction ids dropped and counted, MBAP garbage is malformed', async (t) => {
  let mode: 'stale-first' | 'garbage' = 'stale-first';
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (req: Buffer) => {
      const tid = req.readUInt16BE(0);
      const reply = (id: number, value: number) =>
        Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 5, req[6]!, 3, 2, value >> 8, value & 0xff]);
      if (mode === 'garbage') socket.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
      else socket.write(Buffer.concat([reply((tid - 1) & 0xffff, 111), reply(tid, 222)]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as { port: number }).port;
  const bus = createModbusBus({ id: 'mbap', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 200, retries: 0 });
  t.teardown(() => bus.close());
  await bus.open();
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), { registers: [222] });
  t.same(await bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), { registers: [222] });
  t.equal(bus.counters().unsolicited, 2);
  mode = 'garbage';
  await t.rejects(bus.request({ op: 'read', unit: 1, area: 'holding', address: 0, count: 1 }), ModbusMalformedError);
  t.equal(bus.counters().perUnit.get(1)?.malformed, 1);
});
