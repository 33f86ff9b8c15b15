import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import type { DeviceConfig } from '../../src/config/types.js';
import { backoffDelayMs } from '../../src/devices/backoff.js';
import type { DeviceDriver } from '../../src/model/driver.js';
import { DeviceRuntime } from '../../src/devices/runtime.js';
import { MIN_SLOT_MS, PollScheduler, startOffsetMs, type PollSchedulerOptions } from '../../src/devices/scheduler.js';
import type { PointSpec } from '../../src/model/point.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { type Answer, CollectingSink, deviceConfig, FakeBus, FakeTimers, ScriptedDriver, stopOnFakeTime, timeout } from './fakes.js';

const points: PointSpec[] = [{ name: 'residual_current', type: 'number', unit: 'mA', thresholds: { high: 300 } }];
const healthy = () => [{ point: 'residual_current', raw: 10 }];

function world() {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const sink = new CollectingSink();
  const seq = new CounterSequence();
  const rules = new RulesEngine({ gatewayId: 'gw-1', clock, seq, sink });
  const runtime = (driver: DeviceDriver, config: Partial<DeviceConfig> & { id: string }) =>
    new DeviceRuntime({ gatewayId: 'gw-1', config: deviceConfig(config), driver, clock, seq, rules, sink });
  const scheduler = (runtimes: DeviceRuntime[], opts: Partial<PollSchedulerOptions> = {}) =>
    // random = 1: the top of the jitter window (no shortening), so the backoff schedule below is exact.
    new PollScheduler(runtimes, { clock, timers, random: () => 1, ...opts });
  return { clock, timers, sink, rules, runtime, scheduler };
}

t.test('backoff delay: doubling from the poll interval, capped, jitter only shortens', async (t) => {
  const policy = { maxMs: 16_000 };
  t.same(
    [1, 2, 3, 4, 5, 6, 50, 5000].map((n) => backoffDelayMs(n, 1000, policy, () => 1)),
    [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000, 16_000],
  );
  t.same(
    [1, 2, 3].map((n) => backoffDelayMs(n, 1000, { initialMs: 500, maxMs: 1500 }, () => 1)),
    [500, 1000, 1500],
    'initialMs overrides the interval',
  );
  t.equal(backoffDelayMs(5, 1000, policy, () => 0), 12_800, 'at most 20 % shorter');
  for (let n = 1; n < 20; n++) {
    const d = backoffDelayMs(n, 1000, policy);
    t.ok(d <= 16_000 && d >= 800, `failure ${n}: ${d} within bounds`);
  }
});

t.test('a dead slave backs off while its bus neighbour keeps its rate, and recovers', async (t) => {
  const w = world();
  const bus = new FakeBus(w.timers);
  const good = new ScriptedDriver(points, w.timers, healthy, bus);
  let deadAnswer: () => Answer = timeout;
  const dead = new ScriptedDriver(points, w.timers, () => deadAnswer(), bus);
  dead.latencyMs = 300; // each failed poll holds the bus for the response timeout
  const a = w.runtime(good, { id: 'good', address: 1 });
  const b = w.runtime(dead, { id: 'dead', address: 2 });
  const scheduler = w.scheduler([a, b]);
  scheduler.start();
  await w.timers.advance(60_000);

  t.equal(good.calls.length, 61, 'healthy device: every slot from 0 to 60 s');
  t.ok(
    good.calls.every((c, i) => c.mono === i * 1000),
    'fixed rate: polls start on the slot, no drift despite bus contention',
  );
  // The second of two devices is first due half an interval after start (spread over the interval).
  // Failures end at 800, 2100, 4400, ...; next poll after 1, 2, 4, 8, 16, 16 s.
  t.same(
    dead.calls.map((c) => c.mono),
    [500, 1800, 4100, 8400, 16_700, 33_000, 49_300],
    'dead device: exponential backoff capped at 16 s',
  );
  t.ok(bus.busyMs < 61 * 20 + 8 * 300, 'the dead slave cost little bus time');
  const snap = scheduler.snapshot().find((s) => s.id === 'dead');
  t.match(snap, { state: 'offline', counters: { failed: 7, consecutiveFailures: 7, errorsByCode: { MODBUS_TIMEOUT: 7 } }, schedule: { backoffMs: 16_000 } });
  t.same(w.sink.kinds(), ['offline'], 'one offline event');

  deadAnswer = healthy;
  await w.timers.advance(15_000);
  const afterRecovery = dead.calls.filter((c) => c.mono > 60_000).map((c) => c.mono);
  t.equal(afterRecovery[0], 65_600, 'the backed-off retry finds it alive');
  t.same(
    afterRecovery.slice(1).map((m, i) => m - (afterRecovery[i] ?? 0)),
    Array(afterRecovery.length - 1).fill(1000),
    'back on its normal 1 s rate',
  );
  t.equal(afterRecovery.length, 10);
  t.same(w.sink.kinds(), ['offline', 'online']);
  t.notOk(scheduler.snapshot().find((s) => s.id === 'dead')?.schedule.backoffMs, 'backoff cleared');
  t.equal(good.calls.length, 76, 'the healthy device never missed a slot');
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('a poll that overruns its interval skips slots instead of queueing or overlapping', async (t) => {
  const w = world();
  const slow = new ScriptedDriver(points, w.timers, healthy);
  slow.latencyMs = 2500;
  const scheduler = w.scheduler([w.runtime(slow, { id: 'slow' })]);
  scheduler.start();
  await w.timers.advance(10_000);
  t.same(
    slow.calls.map((c) => c.mono),
    [0, 3000, 6000, 9000],
  );
  t.equal(slow.maxConcurrent, 1, 'never two reads of one device at once');
  t.equal(scheduler.snapshot()[0]?.schedule.skippedSlots, 6);
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('offline by time while backed off, from the watchdog', async (t) => {
  const w = world();
  const dead = new ScriptedDriver(points, w.timers, timeout);
  dead.latencyMs = 300;
  const scheduler = w.scheduler([w.runtime(dead, { id: 'dead', offline: { afterPolls: 100, afterMs: 5000 } })], { watchdogMs: 1000 });
  scheduler.start();
  await w.timers.advance(20_000);
  t.match(w.sink.events, [{ kind: 'offline', mono: 5000 }], 'exactly at afterMs, once');
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('a device that never answered goes offline after afterPolls', async (t) => {
  const w = world();
  const dead = new ScriptedDriver(points, w.timers, timeout);
  const scheduler = w.scheduler([w.runtime(dead, { id: 'dead', offline: { afterPolls: 2, afterMs: 60_000 } })]);
  scheduler.start();
  await w.timers.advance(5000);
  t.equal(w.sink.events.length, 1);
  t.match(w.sink.events[0], { kind: 'offline', message: 'device dead offline: no valid answer to 2 polls (last error MODBUS_TIMEOUT)' });
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('stop waits for the poll on the bus, then nothing more is polled', async (t) => {
  const w = world();
  const driver = new ScriptedDriver(points, w.timers, healthy);
  driver.latencyMs = 500;
  const scheduler = w.scheduler([w.runtime(driver, { id: 'd' })]);
  scheduler.start();
  await w.timers.advance(100);
  t.equal(scheduler.snapshot()[0]?.polling, true);
  let result: unknown;
  const stopping = scheduler.stop().then((r) => (result = r));
  await w.timers.advance(399);
  t.equal(result, undefined, 'still waiting for the read');
  await w.timers.advance(1);
  await stopping;
  t.same(result, { settled: true, pending: [] });
  t.equal(w.sink.readings.length, 1, 'the in-flight answer was still delivered');
  await w.timers.advance(10_000);
  t.equal(driver.calls.length, 1, 'no polls after stop');
  t.equal(w.timers.pending, 0, 'no timers left behind');
});

t.test('stop gives up on a hung read after stopTimeoutMs', async (t) => {
  const w = world();
  const hung: DeviceDriver = { points, read: () => new Promise(() => undefined) };
  const scheduler = w.scheduler([w.runtime(hung, { id: 'hung' })], { stopTimeoutMs: 2000 });
  scheduler.start();
  await w.timers.advance(10);
  let result: unknown;
  const stopping = scheduler.stop().then((r) => (result = r));
  await w.timers.advance(1999);
  t.equal(result, undefined);
  await w.timers.advance(1);
  await stopping;
  t.same(result, { settled: false, pending: ['hung'] });
});

t.test('disabled devices are not polled; fire devices are armed first', async (t) => {
  const w = world();
  const off = new ScriptedDriver(points, w.timers, healthy);
  const rcd = new ScriptedDriver(points, w.timers, healthy);
  const smoke = new ScriptedDriver([{ name: 'smoke', type: 'boolean', role: 'alarm' }], w.timers, () => [{ point: 'smoke', raw: false }]);
  const scheduler = w.scheduler([w.runtime(off, { id: 'off', enabled: false }), w.runtime(rcd, { id: 'rcd' }), w.runtime(smoke, { id: 'smoke' })]);
  t.same(
    scheduler.snapshot().map((s) => s.id),
    ['smoke', 'off', 'rcd'],
  );
  scheduler.start();
  await w.timers.advance(4000);
  t.equal(off.calls.length, 0);
  t.equal(scheduler.snapshot().find((s) => s.id === 'off')?.state, 'disabled');
  // Spread over the interval: the fire device at once, the other (second of two enabled) half an interval later.
  t.same(smoke.calls[0], { mono: 0, priority: 0 });
  t.same(rcd.calls[0], { mono: 500, priority: 10 });
  t.match(scheduler.snapshot().find((s) => s.id === 'rcd'), { state: 'online', schedule: { nextPollInMs: 500, skippedSlots: 0 } });
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('restart while a poll is still on the bus: no second timer, no overlapping reads', async (t) => {
  const w = world();
  const slow = new ScriptedDriver(points, w.timers, healthy);
  slow.latencyMs = 3000;
  const scheduler = w.scheduler([w.runtime(slow, { id: 'slow' })], { stopTimeoutMs: 100 });
  scheduler.start();
  await w.timers.advance(10);
  const stopping = scheduler.stop();
  await w.timers.advance(100);
  t.same(await stopping, { settled: false, pending: ['slow'] });
  scheduler.start();
  await w.timers.advance(7000);
  t.same(
    slow.calls.map((c) => c.mono),
    [0, 3000, 6000],
  );
  t.equal(slow.maxConcurrent, 1);
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('devices are spread over their interval, not polled all at once, and keep their phase', async (t) => {
  const w = world();
  const drivers = [0, 1, 2, 3].map(() => new ScriptedDriver(points, w.timers, healthy));
  const scheduler = w.scheduler(drivers.map((d, i) => w.runtime(d, { id: `d${i}`, address: i + 1 })));
  scheduler.start();
  await w.timers.advance(5_999);
  t.same(
    drivers.map((d) => d.calls[0]?.mono),
    [0, 250, 500, 750],
    'the k-th of 4 devices first polled k/4 of the 1 s interval after start',
  );
  for (const [i, d] of drivers.entries()) {
    t.same(
      d.calls.map((c) => c.mono),
      [0, 1, 2, 3, 4, 5].map((n) => n * 1000 + i * 250),
      `d${i}: fixed rate from its own phase, no slot missed`,
    );
  }
  await stopOnFakeTime(scheduler, w.timers);
});

t.test('many devices share slots at least MIN_SLOT_MS apart, in order, each interval covered evenly', async (t) => {
  const offsets = Array.from({ length: 50 }, (_, k) => startOffsetMs(k, 50, 1000));
  t.same([...new Set(offsets)], Array.from({ length: 20 }, (_, k) => k * 50), 'twenty slots for a 1 s interval');
  t.ok(offsets.every((o, k) => k === 0 || o >= offsets[k - 1]!), 'dealt in order: fire-relevant devices (first) in the first slots');
  const sizes = [...new Set(offsets)].map((slot) => offsets.filter((o) => o === slot).length);
  t.ok(sizes.every((n) => n === 2 || n === 3), `two or three devices a slot (${sizes.join(' ')})`);
  t.equal(sizes.reduce((a, n) => a + n, 0), 50);
  t.same([0, 1, 2].map((k) => startOffsetMs(k, 3, 60_000)), [0, 20_000, 40_000], 'few devices: one slot each, spread over the interval');
  t.equal(startOffsetMs(0, 1, 50), 0);
  t.same([0, 1].map((k) => startOffsetMs(k, 2, 99)), [0, 0], 'an interval shorter than two slots: one slot');
  t.ok(MIN_SLOT_MS >= 50);
});
