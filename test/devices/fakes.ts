/**
 * Test doubles for the device layer: timers driven by a ManualClock, a bus that serializes requests
 * like RS-485 does, and drivers whose answers a test scripts. Drivers implement DeviceDriver, the
 * real interface; real buses are tested with the bus layer.
 */
import type { ManualClock } from '../../src/clock/clock.js';
import type { DeviceConfig } from '../../src/config/types.js';
import type { DeviceDriver, RawValue } from '../../src/model/driver.js';
import type { TimerHandle, Timers } from '../../src/clock/timers.js';
import { HearthError } from '../../src/errors.js';
import type { GatewayEvent } from '../../src/model/event.js';
import type { PointSpec } from '../../src/model/point.js';
import type { Reading } from '../../src/model/reading.js';

/** Lets every pending promise continuation run (microtasks drain before the next macrotask). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface FakeTimer {
  at: number;
  order: number;
  fn: () => void;
}

/** Timers on a ManualClock's monotonic time; `advance()` runs due callbacks in time order. */
export class FakeTimers implements Timers {
  private queue: FakeTimer[] = [];
  private order = 0;
  constructor(readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.clock.mono() + Math.max(0, ms), order: this.order++, fn };
    this.queue.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.queue = this.queue.filter((t) => t !== handle);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.mono() + ms;
    await settle();
    for (;;) {
      const due = this.queue.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.queue = this.queue.filter((t) => t !== due);
      this.clock.advance(due.at - this.clock.mono());
      due.fn();
      await settle();
    }
    this.clock.advance(target - this.clock.mono());
    await settle();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
}

/** One request at a time, first come first served, like a half-duplex RS-485 line. */
export class FakeBus {
  private tail: Promise<unknown> = Promise.resolve();
  busyMs = 0;
  constructor(private readonly timers: FakeTimers) {}

  transact<T>(durationMs: number, outcome: () => T): Promise<T> {
    const run = this.tail.then(async () => {
      await this.timers.sleep(durationMs);
      this.busyMs += durationMs;
      return outcome();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}

export type Answer = RawValue[] | Error;

/** A driver whose next answer the test decides; records every read it was asked for. */
export class ScriptedDriver implements DeviceDriver {
  readonly calls: { mono: number; priority: number | undefined }[] = [];
  concurrent = 0;
  maxConcurrent = 0;
  /** Each read takes this long (on the bus, if one is given). */
  latencyMs = 20;

  constructor(
    readonly points: readonly PointSpec[],
    private readonly timers: FakeTimers,
    public answer: () => Answer,
    private readonly bus?: FakeBus,
  ) {}

  async read(opts?: { priority?: number }): Promise<RawValue[]> {
    this.calls.push({ mono: this.timers.clock.mono(), priority: opts?.priority });
    this.concurrent += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      const result = this.bus
        ? await this.bus.transact(this.latencyMs, this.answer)
        : await this.timers.sleep(this.latencyMs).then(this.answer);
      if (result instanceof Error) throw result;
      return result;
    } finally {
      this.concurrent -= 1;
    }
  }
}

export const timeout = (): Error => new HearthError('MODBUS_TIMEOUT', 'no answer from unit');

/** Collects what the runtime and rules emit. */
export class CollectingSink {
  readonly readings: Reading[] = [];
  readonly events: GatewayEvent[] = [];
  reading(r: Reading): void {
    this.readings.push(r);
  }
  event(e: GatewayEvent): void {
    this.events.push(e);
  }
  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }
}

export function deviceConfig(overrides: Partial<DeviceConfig> & { id: string }): DeviceConfig {
  return {
    profile: 'test-profile',
    bus: 'rs485-1',
    address: 1,
    pollIntervalMs: 1000,
    location: { building: 'A', floor: '2', room: 'kitchen' },
    thresholds: {},
    reporting: {},
    offline: { afterPolls: 3, afterMs: 30_000 },
    backoff: { maxMs: 16_000 },
    enabled: true,
    ...overrides,
  };
}

/** Stops a scheduler whose timers are fake: time has to move for in-flight polls to finish. */
export async function stopOnFakeTime(scheduler: { stop(): Promise<unknown> }, timers: FakeTimers): Promise<void> {
  const stopping = scheduler.stop();
  await timers.advance(10_000);
  await stopping;
}
