import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { FaultLog } from '../outbox/resilient-fixtures.js';
import { Command, FrameReader, answerFrame, decodeUnit, encodeFrame, type DecodedFrame } from '../../src/uplink/gbt26875/index.js';
import { CentreSession } from '../../src/uplink/centre/session.js';
import { Outbox } from '../../src/outbox/index.js';
import { join } from 'node:path';
import { freePort, waitFor } from '../helpers/net.js';
import { fireAlarm, tempDir, GATEWAY } from '../outbox/fixtures.js';
import { GATEWAY_ADDRESS, ROUTES, centreConfig, site } from './harness.js';

/** A raw TCP "centre" the test scripts byte by byte. */
async function rawCentre(t: { teardown(fn: () => void | Promise<void>): void }) {
  const frames: DecodedFrame[] = [];
  let socket: Socket | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    socket = s;
    sockets.add(s);
    const reader = new FrameReader();
    s.on('data', (chunk: Buffer) => frames.push(...reader.push(chunk)));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return {
    port: (server.address() as AddressInfo).port,
    frames,
    connected: () => socket !== undefined && !socket.destroyed,
    /** Writes `bytes` one byte at a time: every frame split across TCP segments. */
    async trickle(bytes: Buffer): Promise<void> {
      for (const b of bytes) {
        socket!.write(Buffer.from([b]));
        await new Promise((r) => setImmediate(r));
      }
    },
    write: (bytes: Buffer) => socket!.write(bytes),
    destroy: () => socket?.destroy(),
  };
}

function session(t: { teardown(fn: () => void): void }, port: number, extra: Partial<ConstructorParameters<typeof CentreSession>[0]> = {}) {
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, destinations: ROUTES });
  const s = new CentreSession({ centre: centreConfig(port), source: outbox.source('centre')!, site: site(), ...extra });
  t.teardown(() => {
    s.stop();
    outbox.close();
  });
  return { outbox, s };
}

t.test('garbage, broken frames, split frames and stray answers from the centre are counted, never a crash; the real confirm still counts', async (t) => {
  const centre = await rawCentre(t);
  const { outbox, s } = session(t, centre.port);
  s.start();
  outbox.appendEvent(fireAlarm(1, { deviceId: 'smoke-1' }));
  await waitFor(() => centre.frames.some((f) => f.command === Command.send && f.data[0] === 2), 5000);
  const alarm = centre.frames.find((f) => f.command === Command.send && f.data[0] === 2)!;
  const good = (command: number, serial: number, data?: Buffer) =>
    encodeFrame({ serial, time: new Date(), source: 0, destination: GATEWAY_ADDRESS, command, ...(data ? { data } : {}) });
  const badChecksum = good(Command.confirm, alarm.serial);
  const at = badChecksum.length - 3;
  badChecksum[at] = badChecksum[at]! ^ 0xff;
  const otherAddress = encodeFrame({ serial: alarm.serial, time: new Date(), source: 0, destination: 999, command: Command.confirm });
  await centre.trickle(
    Buffer.concat([
      Buffer.from('noise @@ @@##\x00\xff'),
      badChecksum, // must not confirm the alarm
      otherAddress, // not for this gateway
      good(Command.confirm, 4242), // a confirm of nothing the gateway sent
      good(Command.deny, 4243),
      good(7, 1), // a command table 2 does not have
      good(Command.request, 2, Buffer.from([200, 1, 0])), // a read of a type that does not exist
      good(Command.request, 3, Buffer.from([81, 5])), // truncated
    ]),
  );
  await waitFor(() => centre.frames.filter((f) => f.command === Command.deny).length >= 3, 5000);
  t.equal(outbox.stats().destinations?.centre?.depth.fire, 1, 'the alarm is still waiting: none of that confirmed it');
  const st = s.state();
  t.ok(st.reader.checksumErrors >= 1, `checksum error counted (${st.reader.checksumErrors})`);
  t.ok(st.reader.garbageBytes > 0, 'garbage bytes counted');
  t.ok(st.counters.ignored >= 2, 'the other address and the unknown command are ignored (counted)');
  t.ok(st.counters.badUnits >= 2, 'unreadable application data counted');
  t.same(
    centre.frames.filter((f) => f.command === Command.deny).map((f) => f.serial),
    [1, 2, 3],
    'the unknown command and both unreadable reads are denied, each with its own serial number',
  );
  await centre.trickle(good(Command.confirm, alarm.serial));
  const system = centre.frames.find((f) => f.command === Command.send && f.data[0] === 1)!;
  await centre.trickle(good(Command.confirm, system.serial));
  await waitFor(() => outbox.stats().destinations?.centre?.depth.fire === 0, 5000);
  t.ok(s.state().connected, 'the connection survived all of it');
});

t.test('silence: a heartbeat (the device state, type 21) goes out after heartbeatS', async (t) => {
  const centre = await rawCentre(t);
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, destinations: ROUTES });
  const s = new CentreSession({ centre: centreConfig(centre.port, { heartbeatS: 1 }), source: outbox.source('centre')!, site: site() });
  t.teardown(() => {
    s.stop();
    outbox.close();
  });
  s.start();
  await waitFor(() => centre.frames.length >= 1, 5000);
  for (const f of centre.frames) centre.write(encodeFrame(answerFrame(f, Command.confirm, new Date())));
  await waitFor(() => centre.frames.filter((f) => f.data[0] === 21).length >= 2, 5000);
  t.same(decodeUnit(centre.frames.at(-1)!.data).type, 21, 'a heartbeat after a second of silence');
});

t.test('no centre: the link fault is raised after linkFaultAfterMs, and cleared once the centre answers', async (t) => {
  const port = await freePort();
  const faults = new FaultLog();
  const { s } = session(t, port, { faults, linkFaultAfterMs: 200 });
  s.start();
  await waitFor(() => faults.active('gbt26875:centre'), 5000);
  t.pass('raised while nothing answers');
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const sock of sockets) sock.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  await waitFor(() => !faults.active('gbt26875:centre'), 5000);
  t.same(faults.log, ['raise gbt26875:centre', 'clear gbt26875:centre'], 'cleared on connect');
});
