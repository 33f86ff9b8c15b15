import { createServer, connect, type Socket } from 'node:net';
import t from 'tap';
import { PipelineSink } from '../../src/core/pipeline-sink.js';
import { createGatewayBus } from '../../src/core/gateway-bus.js';
import { TurnBatch, type TurnSink } from '../../src/core/turn-batch.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import type { Reading } from '../../src/model/reading.js';
import type { DurableStore } from '../../src/outbox/types.js';
import { event } from '../alarms/rig.js';

/**
 * The field's way into the pipeline (src/core/turn-batch.ts): the desk acts on an event in the
 * callback that raised it; the store takes the turn's events in one commit after the turn, then
 * its readings, and whatever publishes on a microtask after the commit runs before the readings.
 */

function reading(point: string, seq: number): Reading {
  return { gatewayId: 'gw', deviceId: 'd1', point, value: seq, quality: 'good', ts: 0, synced: true, mono: 0, seq };
}

/** A sink that writes down what reaches it, in order. */
function recordingSink(): { sink: TurnSink; log: string[] } {
  const log: string[] = [];
  const sink: TurnSink = {
    act: (list) => void log.push(`act ${list.map((e) => e.id).join(',')}`),
    commit: (list) => void log.push(`commit ${list.map((e) => e.id).join(',')}`),
    reading: (r) => void log.push(`reading ${r.point}`),
  };
  return { sink, log };
}

/** A `later` that holds the callbacks until the test runs them. */
function heldTurns(): { later: (fn: () => void) => void; run: () => number } {
  let queue: (() => void)[] = [];
  return {
    later: (fn) => void queue.push(fn),
    run: () => {
      const now = queue;
      queue = [];
      for (const fn of now) fn();
      return now.length;
    },
  };
}

t.test('the desk acts at once; the turn\'s events are one commit after it, then its readings', async (t) => {
  const { sink, log } = recordingSink();
  const turns = heldTurns();
  const batch = new TurnBatch(sink, turns.later);
  batch.reading(reading('density', 1));
  batch.event(event('alarm', { id: 'a' }));
  batch.reading(reading('temperature', 2));
  batch.eventBatch([event('alarm', { id: 'b' }), event('fault', { id: 'c' })]);
  t.same(log, ['act a', 'act b,c'], 'in the callbacks that raised them: only the desk (and the log)');
  t.same(batch.pending(), { events: 3, readings: 2 });
  t.equal(turns.run(), 2, 'one pair of after-turn callbacks for the whole turn');
  t.same(log, ['act a', 'act b,c', 'commit a,b,c', 'reading density', 'reading temperature'], 'one commit, in order; readings after it');
  t.same(batch.pending(), { events: 0, readings: 0 });
  t.equal(turns.run(), 0, 'nothing left to run');
});

t.test('work raised after a flush arms a new turn; flush() finishes what waits', async (t) => {
  const { sink, log } = recordingSink();
  const turns = heldTurns();
  const batch = new TurnBatch(sink, turns.later);
  batch.event(event('alarm', { id: 'a' }));
  turns.run();
  batch.event(event('restore', { id: 'b' }));
  batch.reading(reading('density', 1));
  t.same(log.slice(-1), ['act b'], 'waiting for its turn');
  batch.flush(); // shutdown: the store must take it before it closes
  t.same(log, ['act a', 'commit a', 'act b', 'commit b', 'reading density']);
  t.equal(turns.run(), 2, 'the armed callbacks still run');
  t.same(log.length, 5, 'and find nothing left to store twice');
  batch.event(event('alarm', { id: 'c' }));
  t.equal(turns.run(), 2, 'armed again after the turn ended');
  t.same(log.slice(-2), ['act c', 'commit c']);
});

t.test('with the real pipeline sink: desk first, one commit, the drain\'s microtask before the readings', async (t) => {
  const order: string[] = [];
  const desked: string[] = [];
  const store = {
    appendEvents: (list: readonly GatewayEvent[]) => {
      order.push(`commit ${list.map((e) => e.id).join(',')}`);
      queueMicrotask(() => order.push('publish')); // the drain wakes on a microtask for events
    },
    appendReading: (r: Reading) => void order.push(`reading ${r.point}`),
  } as unknown as DurableStore;
  const sink = new PipelineSink({ desk: { onEvent: (e) => void desked.push(e.id) }, store, bus: createGatewayBus(silentLogger()), logger: silentLogger() });
  const batch = new TurnBatch(sink);
  batch.reading(reading('density', 1));
  batch.event(event('alarm', { id: 'a' }));
  batch.event(event('alarm', { id: 'b' }));
  t.same(desked, ['a', 'b'], 'the desk acted in the raising callbacks');
  t.same(order, [], 'nothing stored yet');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.same(order, ['commit a,b', 'publish', 'reading density']);
});

t.test('answers that arrive together (one poll phase) are stored in one commit', async (t) => {
  // Two sockets whose data is in the kernel before the loop polls: Node runs both data callbacks
  // in one poll phase, and the after-turn callbacks after both.
  const commits: string[][] = [];
  const acted: string[] = [];
  const batch = new TurnBatch({ act: (l) => void acted.push(...l.map((e) => e.id)), commit: (l) => void commits.push(l.map((e) => e.id)), reading: () => {} });
  const server = createServer();
  const accepted: Socket[] = [];
  server.on('connection', (s) => accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const clients = await Promise.all(
    ['a', 'b'].map(
      (id) =>
        new Promise<Socket>((resolve) => {
          const c = connect(port, '127.0.0.1', () => resolve(c));
          c.on('data', () => batch.event(event('alarm', { id })));
        }),
    ),
  );
  t.teardown(() => clients.forEach((c) => c.destroy()));
  await new Promise<void>((r) => (accepted.length === 2 ? r() : server.on('connection', () => accepted.length === 2 && r())));
  for (const s of accepted) s.write('x');
  t.teardown(() => accepted.forEach((s) => s.destroy()));
  // Hold the loop until both bytes are surely in the kernel's buffers (loopback is immediate).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  const deadline = Date.now() + 5000;
  while (acted.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setImmediate(r));
  t.same(acted.sort(), ['a', 'b'], 'both answers reached the desk');
  t.equal(commits.length, 1, 'one commit for the turn');
  t.same(commits[0]?.sort(), ['a', 'b']);
});
