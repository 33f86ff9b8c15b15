import t from 'tap';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { SerialPort } from 'serialport';
import { encodeRdm6300 } from '../../drivers/tag-reader/rdm6300.js';
import { encodeM100Inventory } from '../../drivers/tag-reader/uhf-m100.js';
import { SystemClock } from '../../src/clock/clock.js';
import { SerialByteStream, TcpByteStream } from '../../src/bus/links/byte-stream.js';
import type { TagReaderConfig } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { TagReaderSim } from '../../src/sim/tag-reader-sim.js';
import { TagLists } from '../../src/devices/tags/access.js';
import { TagReaderRuntime } from '../../src/devices/tags/reader-runtime.js';
import { recordFaults } from '../helpers/faults.js';
import { freePort, waitFor } from '../helpers/net.js';
import { createPtyPair } from '../helpers/socat.js';

function reader(cfg: Partial<TagReaderConfig>, events: GatewayEvent[]) {
  const full: TagReaderConfig = { id: 'r1', protocol: 'rdm6300', dwellMs: 0, absenceMs: 500, alarmSeverity: 'critical', location: { room: 'lobby' }, enabled: true, ...cfg };
  return new TagReaderRuntime({
    gatewayId: 'gw',
    clock: new SystemClock('assume-synced'),
    seq: new CounterSequence(),
    cfg: full,
    lists: new TagLists({}),
    sink: { event: (e) => events.push(e) },
    logger: silentLogger(),
    faults: ignoreFaults,
  });
}

function openPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate, autoOpen: false });
    p.open((err) => (err ? reject(err) : resolve(p)));
  });
}

const write = (p: SerialPort, b: Buffer) => new Promise<void>((done) => p.write(b, () => p.drain(() => done())));

for (const proto of [
  { protocol: 'rdm6300' as const, baud: 9600, frame: (bad = false) => encodeRdm6300('0EB1CE0001', { badChecksum: bad }), id: '0EB1CE0001' },
  { protocol: 'uhf-m100' as const, baud: 115200, frame: (bad = false) => encodeM100Inventory('E2801160600002054D4B1F41', { badChecksum: bad }), id: 'E2801160600002054D4B1F41' },
]) {
  t.test(`${proto.protocol} over a real serial line (socat pty pair): split frames, noise, bad checksums`, async (t) => {
    const pty = await createPtyPair('tags');
    t.teardown(() => pty.close());
    const events: GatewayEvent[] = [];
    const r = reader({ protocol: proto.protocol, port: pty.a, baudRate: proto.baud }, events);
    r.start();
    t.teardown(() => r.stop());
    await waitFor(() => r.snapshot().stream?.connected === true, 10_000);
    const dev = await openPort(pty.b, proto.baud);
    t.teardown(() => new Promise<void>((d) => dev.close(() => d())));
    const f = proto.frame();
    // A frame in three pieces with pauses, garbage, a corrupted frame, then repeats.
    await write(dev, Buffer.from([0xff, 0x00, 0x13]));
    await write(dev, f.subarray(0, 3));
    await new Promise((res) => setTimeout(res, 30));
    await write(dev, f.subarray(3, 9));
    await new Promise((res) => setTimeout(res, 30));
    await write(dev, f.subarray(9));
    await write(dev, proto.frame(true));
    for (let i = 0; i < 5; i++) await write(dev, f);
    await waitFor(() => r.snapshot().decoder.tags === 6, 10_000);
    const s = r.snapshot();
    t.equal(s.decoder.badChecksum, 1);
    t.ok(s.decoder.noiseBytes >= 3);
    t.same(events.map((e) => [e.kind, e.value]), [['tag_arrived', proto.id]], 'six reads, one arrival');
    await waitFor(() => events.length === 2, 10_000);
    t.same(events[1]!.kind, 'tag_left');
  });
}

t.test('TCP reader: reconnects after the serial server goes away', async (t) => {
  const port = await freePort();
  const sim = new TagReaderSim({ host: '127.0.0.1', port, protocol: 'rdm6300', present: () => [], repeatMs: 50 });
  await sim.start();
  const events: GatewayEvent[] = [];
  const stream = new TcpByteStream('127.0.0.1', port, { logger: silentLogger(), minDelayMs: 50, maxDelayMs: 200 });
  const r = new TagReaderRuntime({
    gatewayId: 'gw', clock: new SystemClock('assume-synced'), seq: new CounterSequence(),
    cfg: { id: 'r2', protocol: 'rdm6300', dwellMs: 0, absenceMs: 500, alarmSeverity: 'critical', location: { room: 'x' }, enabled: true },
    lists: new TagLists({}), sink: { event: (e) => events.push(e) }, logger: silentLogger(), faults: ignoreFaults, stream,
  });
  r.start();
  t.teardown(() => r.stop());
  await waitFor(() => sim.connections === 1, 10_000);
  sim.held.add('0800A1B2C3');
  await waitFor(() => events.length === 1, 10_000);
  await sim.stop();
  await waitFor(() => stream.stats().disconnects === 1, 10_000);
  const again = new TagReaderSim({ host: '127.0.0.1', port, protocol: 'rdm6300', present: () => ['0EB1CE0001'], repeatMs: 50 });
  await again.start();
  t.teardown(() => again.stop());
  await waitFor(() => events.some((e) => e.kind === 'tag_arrived' && e.value === '0EB1CE0001'), 10_000);
  t.ok(stream.stats().connects >= 2, 'connected again');
});

t.test('a serial port that does not exist is retried, not fatal', async (t) => {
  const s = new SerialByteStream('/dev/does-not-exist-hearth', 9600, { logger: silentLogger(), minDelayMs: 20, maxDelayMs: 50 });
  s.start(() => {});
  await waitFor(() => s.stats().lastError !== undefined, 5000);
  t.equal(s.stats().connected, false);
  await s.stop();
});

t.test('TCP reader whose source is missing: a fault of the reader, restored when it connects; again when it goes away', async (t) => {
  const port = await freePort();
  const { faults, events } = recordFaults();
  const stream = new TcpByteStream('127.0.0.1', port, { logger: silentLogger(), minDelayMs: 50, maxDelayMs: 200 });
  const r = new TagReaderRuntime({
    gatewayId: 'gw', clock: new SystemClock('assume-synced'), seq: new CounterSequence(),
    cfg: { id: 'r3', tcp: `127.0.0.1:${port}`, protocol: 'rdm6300', dwellMs: 0, absenceMs: 500, alarmSeverity: 'critical', location: { room: 'lobby' }, enabled: true },
    lists: new TagLists({}), sink: { event: () => {} }, logger: silentLogger(), faults, stream,
  });
  r.start();
  t.teardown(() => r.stop());
  // Nothing listens yet: connection refused.
  await waitFor(() => events.length === 1, 10_000);
  t.match(events[0], { kind: 'fault', severity: 'major', deviceId: 'r3', point: 'port', location: { room: 'lobby' } });
  t.match(events[0]!.message, new RegExp(`tag reader r3 \\(tcp://127.0.0.1:${port}\\) not reading: ECONNREFUSED`));
  await new Promise((res) => setTimeout(res, 300));
  t.equal(events.length, 1, 'reconnect attempts raise nothing new');

  const sim = new TagReaderSim({ host: '127.0.0.1', port, protocol: 'rdm6300', present: () => [], repeatMs: 50 });
  await sim.start();
  await waitFor(() => events.length === 2, 10_000);
  t.match(events[1], { kind: 'restore', deviceId: 'r3', point: 'port', restores: events[0]!.id });

  await sim.stop();
  await waitFor(() => events.length === 3, 10_000);
  t.match(events[2], { kind: 'fault', deviceId: 'r3', point: 'port' });
  const again = new TagReaderSim({ host: '127.0.0.1', port, protocol: 'rdm6300', present: () => [], repeatMs: 50 });
  await again.start();
  t.teardown(() => again.stop());
  await waitFor(() => events.length === 4, 10_000);
  t.match(events[3], { kind: 'restore', restores: events[2]!.id });
});

t.test('a reader whose serial port does not exist is a fault of that reader', async (t) => {
  const { faults, events } = recordFaults();
  const r = new TagReaderRuntime({
    gatewayId: 'gw', clock: new SystemClock('assume-synced'), seq: new CounterSequence(),
    cfg: { id: 'r4', port: '/dev/does-not-exist-hearth', protocol: 'rdm6300', dwellMs: 0, absenceMs: 500, alarmSeverity: 'critical', location: { room: 'garage' }, enabled: true },
    lists: new TagLists({}), sink: { event: () => {} }, logger: silentLogger(), faults,
  });
  r.start();
  t.teardown(() => r.stop());
  await waitFor(() => events.length === 1, 10_000);
  t.match(events[0], { kind: 'fault', deviceId: 'r4', point: 'port', location: { room: 'garage' } });
  t.match(events[0]!.message, /tag reader r4 \(\/dev\/does-not-exist-hearth\) not reading: /);
});
