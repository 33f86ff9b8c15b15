import t from 'tap';
import { createModbusBus, type CreateBusOptions } from '../../src/bus/modbus/index.js';
import { ModbusCrcError, ModbusTimeoutError } from '../../src/bus/modbus/errors.js';
import type { ModbusMaster } from '../../src/bus/modbus/master.js';
import { waitFor } from '../helpers/net.js';
import { createPtyPair } from '../helpers/socat.js';
import { corruptCrc, fakeSlaveOnPty, fakeSlaveOnTcp, frame, registersReply, type Script } from '../helpers/fake-rtu-slave.js';

/** All the helpers need of a tap test. */
interface Teardown {
  teardown(fn: () => unknown): void;
}

const read = (unit: number, address = 0, count = 1) => ({ op: 'read' as const, unit, area: 'holding' as const, address, count });

/** Replies to a holding read with registers [address, address+1, ...]: every reply names its request. */
const echoAddress = (req: { unit: number; fc: number; address: number; quantity: number }) =>
  registersReply(req.unit, req.fc, Array.from({ length: req.quantity }, (_, i) => req.address + i));

async function ptyBus(t: Teardown, script: Script, retries = 0): Promise<ModbusMaster> {
  const pty = await createPtyPair('trouble');
  t.teardown(() => pty.close());
  const slave = await fakeSlaveOnPty(pty.b, script);
  t.teardown(() => slave.close());
  const bus = createModbusBus({
    id: 'pty',
    type: 'modbus-rtu',
    port: pty.a,
    baudRate: 115200,
    parity: 'none',
    dataBits: 8,
    stopBits: 1,
    timeoutMs: 200,
    retries,
  });
  t.teardown(() => bus.close());
  await bus.open();
  return bus;
}

async function tcpBus(t: Teardown, script: Script, opts: CreateBusOptions = {}, timeoutMs = 100) {
  const slave = await fakeSlaveOnTcp(script);
  t.teardown(() => slave.close());
  const bus = createModbusBus(
    { id: 'rtu-tcp', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: slave.port, baudRate: 115200, timeoutMs, retries: 0 },
    opts,
  );
  t.teardown(() => bus.close());
  await bus.open();
  return { bus, slave };
}

t.test('garbage before a reply: counted as malformed, reply still taken', async (t) => {
  const bus = await ptyBus(t, (req, s) => s.send(Buffer.concat([Buffer.from([0xff, 0x00, 0x13, 0x37]), echoAddress(req)])));
  t.same(await bus.request(read(1, 10, 2)), { registers: [10, 11] });
  t.same(await bus.request(read(1, 20, 1)), { registers: [20] });
  const c = bus.counters().perUnit.get(1)!;
  t.equal(c.malformed, 2);
  t.equal(c.responses, 2);
  t.equal(c.crcErrors, 0);
});

t.test('garbage only: a timeout, malformed counted, next request fine', async (t) => {
  let n = 0;
  const bus = await ptyBus(t, (req, s) => s.send(n++ === 0 ? Buffer.from('no modbus here\r\n') : echoAddress(req)));
  await t.rejects(bus.request(read(1, 0, 1)), ModbusTimeoutError);
  t.same(await bus.request(read(1, 5, 1)), { registers: [5] });
  const c = bus.counters().perUnit.get(1)!;
  t.equal(c.timeouts, 1);
  t.equal(c.malformed, 1);
});

t.test('a CRC-corrupted reply is a CRC error (not a timeout), retried, then fine', async (t) => {
  let n = 0;
  const bus = await ptyBus(t, (req, s) => s.send(n++ === 0 ? corruptCrc(echoAddress(req)) : echoAddress(req)), 2);
  const started = performance.now();
  t.same(await bus.request(read(3, 7, 2)), { registers: [7, 8] });
  t.ok(performance.now() - started < 150, 'decided on the CRC, not by waiting out the timeout');
  const c = bus.counters().perUnit.get(3)!;
  t.equal(c.crcErrors, 1);
  t.equal(c.retries, 1);
  t.equal(c.timeouts, 0);
  t.equal(c.malformed, 0);
  t.equal(c.responses, 1);
});

t.test('CRC errors with no retries left reject with ModbusCrcError', async (t) => {
  const bus = await ptyBus(t, (req, s) => s.send(corruptCrc(echoAddress(req))), 1);
  const err = await bus.request(read(4)).catch((e: unknown) => e);
  t.type(err, ModbusCrcError);
  t.equal((err as ModbusCrcError).code, 'MODBUS_CRC');
  t.equal(bus.counters().perUnit.get(4)?.crcErrors, 2);
});

t.test('noise while idle is counted as unsolicited and does not disturb the next exchange', async (t) => {
  const { bus, slave } = await tcpBus(t, (req, s) => s.send(echoAddress(req)));
  t.same(await bus.request(read(1, 1)), { registers: [1] });
  slave.send([0x00, 0xff, 0xfe, 0x01, 0x03]);
  await new Promise((r) => setTimeout(r, 30));
  t.same(await bus.request(read(1, 2)), { registers: [2] });
  t.equal(bus.counters().unsolicited, 1);
  t.equal(bus.counters().perUnit.get(1)?.malformed, 0);
});

t.test('a late reply landing during the guard after a timeout is dropped', async (t) => {
  const { bus } = await tcpBus(
    t,
    (req, s) => {
      if (req.address === 1) setTimeout(() => s.send(echoAddress(req)), 150); // after the 100 ms timeout
      else s.send(echoAddress(req));
    },
    { lateReplyGuardMs: 150 },
  );
  const first = bus.request(read(1, 1));
  const second = bus.request(read(1, 2)); // same unit, function and count: only timing tells them apart
  await t.rejects(first, ModbusTimeoutError);
  t.same(await second, { registers: [2] });
  t.equal(bus.counters().unsolicited, 1);
});

t.test('a late reply arriving during the next exchange is not taken as its reply', async (t) => {
  let held: Buffer = Buffer.alloc(0);
  const { bus } = await tcpBus(
    t,
    (req, s) => {
      if (req.address === 100) {
        held = echoAddress(req); // answer only once the master has moved on
        return;
      }
      // The late reply to address 100 and then this request's reply, back to back.
      s.send(Buffer.concat([held, echoAddress(req)]));
      held = Buffer.alloc(0);
    },
    { lateReplyGuardMs: 0 },
  );
  await t.rejects(bus.request(read(1, 100, 2)), ModbusTimeoutError);
  t.same(await bus.request(read(2, 200, 2)), { registers: [200, 201] }, 'other unit');
  await t.rejects(bus.request(read(1, 100, 2)), ModbusTimeoutError);
  t.same(await bus.request(read(1, 300, 3)), { registers: [300, 301, 302] }, 'same unit, different count');
  t.equal(bus.counters().unsolicited, 2);
  t.equal(bus.counters().perUnit.get(2)?.malformed, 0);
});

t.test('an intact frame from another unit is skipped, then the timeout', async (t) => {
  const { bus } = await tcpBus(t, (req, s) => s.send(registersReply(req.unit + 1, req.fc, [9])));
  await t.rejects(bus.request(read(5)), ModbusTimeoutError);
  t.equal(bus.counters().unsolicited, 1);
});

t.test('exception frames go to the right request', async (t) => {
  const { bus } = await tcpBus(t, (req, s) => s.send(frame([req.unit, req.fc | 0x80, 0x02])));
  const err = await bus.request(read(6, 0, 1)).catch((e: unknown) => e);
  t.match(err, { code: 'MODBUS_EXCEPTION', exceptionCode: 2, exceptionName: 'illegal data address', unit: 6 });
  t.equal(bus.counters().perUnit.get(6)?.retries, 0);
});

t.test('priority queue: lower priority first, FIFO within a priority', async (t) => {
  let release: (() => void) | undefined;
  const { bus, slave } = await tcpBus(
    t,
    (req, s) => {
      if (req.address === 0) release = () => s.send(echoAddress(req));
      else s.send(echoAddress(req));
    },
    {},
    2000,
  );
  const first = bus.request(read(1, 0), { priority: 10 });
  await waitFor(() => slave.seen.length === 1);
  const rest = [
    bus.request(read(1, 1), { priority: 10 }),
    bus.request(read(1, 2), { priority: 0 }),
    bus.request(read(1, 3), { priority: 5 }),
    bus.request(read(1, 4), { priority: 0 }),
    bus.request(read(1, 5)),
  ];
  t.equal(bus.queueDepth(), 5, 'waiting behind the one on the wire');
  release!();
  await Promise.all([first, ...rest]);
  t.same(
    slave.seen.map((r) => r.address),
    [0, 2, 4, 3, 1, 5],
  );
  t.equal(bus.queueDepth(), 0);
});

t.test('the inter-frame gap is kept between exchanges', async (t) => {
  const slave = await fakeSlaveOnTcp((req, s) => s.send(echoAddress(req)));
  t.teardown(() => slave.close());
  const bus = createModbusBus({
    id: 'gap',
    type: 'modbus-rtu-over-tcp',
    host: '127.0.0.1',
    port: slave.port,
    baudRate: 9600,
    timeoutMs: 200,
    retries: 0,
    interFrameGapMs: 25, // long enough to measure over loopback
  });
  t.teardown(() => bus.close());
  await bus.open();
  await Promise.all([1, 2, 3, 4].map((a) => bus.request(read(1, a))));
  const gaps = slave.seen.slice(1).map((r, i) => r.at - slave.seen[i]!.at);
  t.ok(gaps.every((g) => g >= 24), `gaps ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`);
});
