import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import type { DeviceConfig } from '../../src/config/types.js';
import type { DeviceDriver, RawValue } from '../../src/model/driver.js';
import { FIRE_POLL_PRIORITY, NORMAL_POLL_PRIORITY, pollPriority } from '../../src/devices/priority.js';
import { DeviceRuntime } from '../../src/devices/runtime.js';
import { HearthError } from '../../src/errors.js';
import type { PointSpec } from '../../src/model/point.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { CollectingSink, deviceConfig } from './fakes.js';

const rcdPoints: PointSpec[] = [
  { name: 'residual_current', type: 'number', unit: 'mA', scale: 1, min: 0, max: 2000, thresholds: { high: 300, hysteresis: 20 } },
  { name: 'temperature', type: 'number', unit: '°C', scale: 0.1 },
];

/** A driver answering from a queue: each entry is the next answer, an error or a thrown value. */
class QueueDriver implements DeviceDriver {
  readonly priorities: (number | undefined)[] = [];
  constructor(
    readonly points: readonly PointSpec[],
    public answers: (RawValue[] | Error | (() => never))[] = [],
  ) {}
  async read(opts?: { priority?: number }): Promise<RawValue[]> {
    this.priorities.push(opts?.priority);
    const next = this.answers.shift() ?? [];
    if (typeof next === 'function') next();
    if (next instanceof Error) throw next;
    return next as RawValue[];
  }
}

function setup(driver: DeviceDriver, config: Partial<DeviceConfig> = {}) {
  const clock = new ManualClock();
  const sink = new CollectingSink();
  const rules = new RulesEngine({ gatewayId: 'gw-1', clock, seq: new CounterSequence(), sink });
  const errors: unknown[] = [];
  const runtime = new DeviceRuntime({
    gatewayId: 'gw-1',
    config: deviceConfig({ id: 'rcd-1', ...config }),
    driver,
    clock,
    seq: new CounterSequence(1000),
    rules,
    sink,
    onError: (e) => errors.push(e),
  });
  return { clock, sink, rules, runtime, errors };
}

t.test('a poll normalizes, emits readings, then the events the rules raise', async (t) => {
  const driver = new QueueDriver(rcdPoints, [
    [
      { point: 'residual_current', raw: 512 },
      { point: 'temperature', raw: 253 },
    ],
  ]);
  const { sink, runtime } = setup(driver, { thresholds: { residual_current: { high: 500 } } });
  t.same(await runtime.pollOnce(), { ok: true, readings: 2 });
  t.same(
    sink.readings.map((r) => [r.point, r.value, r.unit, r.quality]),
    [
      ['residual_current', 512, 'mA', 'good'],
      ['temperature', 25.3, '°C', 'good'],
    ],
  );
  t.match(sink.events, [{ kind: 'alarm', threshold: 500, value: 512, location: { room: 'kitchen' } }]);
  const snap = runtime.snapshot();
  t.match(snap, { id: 'rcd-1', state: 'online', priority: NORMAL_POLL_PRIORITY, polling: false, counters: { polls: 1, ok: 1, failed: 0 } });
  t.same(snap.values.temperature, { value: 25.3, unit: '°C', quality: 'good', ts: Date.UTC(2026, 0, 1), synced: true });
  t.equal(runtime.latest('residual_current')?.value, 512);
});

t.test('errors are counted by code and never escape', async (t) => {
  const driver = new QueueDriver(rcdPoints, [
    new HearthError('MODBUS_TIMEOUT', 'timeout'),
    new HearthError('MODBUS_CRC', 'crc'),
    new HearthError('MODBUS_TIMEOUT', 'timeout'),
    new Error('no code at all'),
    () => {
      throw Object.assign(new Error('socket'), { code: 'ECONNRESET' });
    },
    [{ point: 'temperature', raw: 200 }],
  ]);
  const { runtime, sink } = setup(driver, { offline: { afterPolls: 3, afterMs: 60_000 } });
  const outcomes = [];
  for (let i = 0; i < 6; i++) outcomes.push(await runtime.pollOnce());
  t.same(outcomes.slice(0, 5), [
    { ok: false, code: 'MODBUS_TIMEOUT' },
    { ok: false, code: 'MODBUS_CRC' },
    { ok: false, code: 'MODBUS_TIMEOUT' },
    { ok: false, code: 'UNKNOWN' },
    { ok: false, code: 'ECONNRESET' },
  ]);
  const { counters } = runtime.snapshot();
  t.match(counters, { polls: 6, ok: 1, failed: 5, consecutiveFailures: 0, lastErrorCode: 'ECONNRESET' });
  t.same(counters.errorsByCode, { MODBUS_TIMEOUT: 2, MODBUS_CRC: 1, UNKNOWN: 1, ECONNRESET: 1 });
  t.same(sink.kinds(), ['offline', 'online'], 'offline after the 3rd failure, online on the answer');
});

t.test('a driver resolving with garbage is a failed poll', async (t) => {
  const driver = { points: rcdPoints, read: async () => 'nonsense' as unknown as RawValue[] };
  const { runtime } = setup(driver);
  t.same(await runtime.pollOnce(), { ok: false, code: 'DRIVER_MALFORMED' });
});

t.test('concurrent pollOnce calls join the running poll: one read per device at a time', async (t) => {
  let release: (v: RawValue[]) => void = () => undefined;
  let reads = 0;
  const driver: DeviceDriver = {
    points: rcdPoints,
    read: () => {
      reads += 1;
      return new Promise((resolve) => (release = resolve));
    },
  };
  const { runtime } = setup(driver);
  const a = runtime.pollOnce();
  const b = runtime.pollOnce();
  t.equal(a, b, 'same promise');
  t.equal(runtime.polling, true);
  release([{ point: 'temperature', raw: 1 }]);
  await a;
  t.equal(reads, 1);
  t.equal(runtime.polling, false);
});

t.test('a failing sink is counted and reported, the poll still counts as answered', async (t) => {
  const driver = new QueueDriver(rcdPoints, [[{ point: 'residual_current', raw: 900 }]]);
  const { runtime, sink, errors } = setup(driver);
  sink.reading = () => {
    throw new HearthError('OUTBOX_FULL', 'quota');
  };
  t.same(await runtime.pollOnce(), { ok: true, readings: 1 });
  t.equal(runtime.snapshot().counters.sinkErrors, 1);
  t.match(errors, [{ code: 'OUTBOX_FULL' }]);
  t.match(sink.events, [{ kind: 'alarm' }], 'rules still ran: the alarm is not lost with the reading');
});

t.test('fire-relevant devices poll with priority 0', async (t) => {
  const smoke: PointSpec[] = [{ name: 'smoke', type: 'boolean', role: 'alarm' }];
  t.equal(pollPriority(smoke), FIRE_POLL_PRIORITY);
  t.equal(pollPriority([{ name: 'smoke', type: 'boolean', role: 'alarm', severity: 'critical' }]), NORMAL_POLL_PRIORITY);
  t.equal(pollPriority([{ name: 'density', type: 'number', thresholds: { high: 5, severity: 'fire' } }]), FIRE_POLL_PRIORITY);
  t.equal(pollPriority(rcdPoints), NORMAL_POLL_PRIORITY);
  t.equal(pollPriority(rcdPoints, { residual_current: { severity: 'fire' } }), FIRE_POLL_PRIORITY, 'override counts');

  const driver = new QueueDriver(smoke, [[{ point: 'smoke', raw: false }]]);
  const { runtime } = setup(driver);
  await runtime.pollOnce();
  t.same(driver.priorities, [FIRE_POLL_PRIORITY]);
});

t.test('a disabled device reports disabled and ignores ticks', async (t) => {
  const { runtime, sink, clock } = setup(new QueueDriver(rcdPoints), { enabled: false, offline: { afterPolls: 1, afterMs: 10 } });
  runtime.tick();
  clock.advance(1000);
  runtime.tick();
  t.equal(runtime.state, 'disabled');
  t.same(sink.events, []);
});
