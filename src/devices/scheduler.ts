import type { Clock } from '../clock/clock.js';
import { backoffDelayMs } from './backoff.js';
import type { DeviceRuntime, DeviceSnapshot, PollOutcome } from './runtime.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';

/**
 * Polls every enabled device at its own rate.
 *
 * - Fixed rate: the next poll is due one interval after the previous one was DUE, not after it
 *   finished, so latency does not accumulate as drift. A poll that overruns its slot skips the
 *   missed slots (counted) instead of queueing catch-up polls.
 * - Never two polls of one device at a time: the next poll is armed only when the last one settled.
 * - A device that stops answering backs off exponentially (see backoff.ts), re-armed from when the
 *   failure was known; the first good answer puts it back on its normal rate. Other devices keep
 *   their own schedules: a dead slave only costs the bus time of its rare retries.
 * - Devices on one bus are serialized by the bus (with the poll priority the runtime passes); the
 *   scheduler adds no lock of its own.
 * - Spread over the interval: at start the devices are dealt, in order (fire-relevant devices
 *   first), into slots spread evenly over their interval, at most one slot per MIN_SLOT_MS; fixed
 *   rate keeps each device's phase. All devices due at the same instant would send every request
 *   at once and have their answers decoded, stored and sent one after another in one burst: the
 *   last of 50 units waited for the 49 before it (the footprint bench measured the tail of
 *   serve→publish at 3x its median). One slot per device, on the other hand, wakes the gateway
 *   and sends one message per reading: with 50 units a second, 50 messages and their
 *   acknowledgements. Slots of a few devices keep the burst short and let the answers that
 *   arrive together leave in one message (the uplink sends telemetry once per turn of the event
 *   loop), and their alarms in one commit and one message (src/core/turn-batch.ts). Each device
 *   is still polled once per interval, so no alarm waits longer than it did.
 */

/**
 * Closest two start slots of devices with the same interval may be: at most 20 wake-ups a second.
 * Every device of a slot answers in the same turn of the event loop, and an alarm among them is
 * stored and sent once all of their answers are decoded (src/core/turn-batch.ts): each slot-mate
 * adds its decoding and rules to the alarm's trip. Measured with 50 units at 1 Hz (docs/footprint.md):
 * 100 ms slots (five units each) gave fire alarms a p99 of 4.5–5.3 ms serve→publish, 50 ms slots
 * (two or three) 3.6–4.7 ms, for 0.7–0.9 % more of one core (one more telemetry message a slot).
 */
export const MIN_SLOT_MS = 50;

/** Start offset of the k-th of n devices polled every `intervalMs`: its slot's share of the interval. */
export function startOffsetMs(k: number, n: number, intervalMs: number): number {
  const slots = Math.max(1, Math.min(n, Math.floor(intervalMs / MIN_SLOT_MS)));
  return Math.floor((Math.floor((k * slots) / n) * intervalMs) / slots);
}

export interface PollSchedulerOptions {
  clock: Clock;
  timers?: Timers;
  /** Jitter source for the backoff; injectable for deterministic tests. */
  random?: () => number;
  /** How long stop() waits for in-flight polls. Default 5000. */
  stopTimeoutMs?: number;
  /** Cadence of time-based availability checks (offline after `afterMs`). Default 1000. */
  watchdogMs?: number;
}

export interface ScheduleSnapshot {
  /** Until the next poll is due; absent while a poll runs or when not scheduled. */
  nextPollInMs?: number;
  /** The current backoff delay while the device is failing. */
  backoffMs?: number;
  /** Poll slots skipped because a poll overran its interval. */
  skippedSlots: number;
}

export interface ScheduledDeviceSnapshot extends DeviceSnapshot {
  schedule: ScheduleSnapshot;
}

/** A cheap liveness signal for the service watchdog (src/service/): is polling moving at all? */
export interface PollProgress {
  running: boolean;
  /** Enabled devices being polled. */
  devices: number;
  /** Polls that settled (answer or failure) since start. */
  completedPolls: number;
  /** Monotonic time of the last settled poll, or of start() when none settled yet. */
  lastProgressMono: number;
}

export interface StopResult {
  /** Whether every in-flight poll settled within the stop timeout. */
  settled: boolean;
  /** Devices whose poll was still running when stop() gave up waiting. */
  pending: string[];
}

interface Slot {
  runtime: DeviceRuntime;
  dueMono: number;
  timer?: TimerHandle;
  poll?: Promise<void>;
  backoffMs?: number;
  skippedSlots: number;
}

export class PollScheduler {
  private readonly slots: Slot[];
  private readonly timers: Timers;
  private readonly random: () => number;
  private running = false;
  private watchdog: TimerHandle | undefined;
  private completedPolls = 0;
  private lastProgressMono = 0;

  constructor(
    runtimes: readonly DeviceRuntime[],
    private readonly options: PollSchedulerOptions,
  ) {
    // Fire-relevant devices first: when several polls are due at once they reach the bus queue first.
    const ordered = [...runtimes].sort((a, b) => a.priority - b.priority);
    this.slots = ordered.map((runtime) => ({ runtime, dueMono: 0, skippedSlots: 0 }));
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.options.clock.mono();
    this.lastProgressMono = now;
    const enabled = this.slots.filter((s) => s.runtime.config.enabled);
    enabled.forEach((slot, k) => {
      // Availability is measured from here: a device that never answers goes offline `afterMs` from start.
      slot.runtime.tick();
      // A poll left over from before a stop() re-arms its device itself when it settles.
      if (slot.poll === undefined) this.arm(slot, now + startOffsetMs(k, enabled.length, slot.runtime.config.pollIntervalMs));
    });
    this.armWatchdog();
  }

  /** Stops scheduling and waits (at most stopTimeoutMs) for polls already on the bus to settle. */
  async stop(): Promise<StopResult> {
    this.running = false;
    for (const slot of this.slots) this.disarm(slot);
    if (this.watchdog !== undefined) this.timers.clearTimeout(this.watchdog);
    this.watchdog = undefined;

    const inFlight = this.slots.flatMap((s) => (s.poll !== undefined ? [s.poll] : []));
    if (inFlight.length > 0) {
      let bound: TimerHandle | undefined;
      const timedOut = new Promise<void>((resolve) => {
        bound = this.timers.setTimeout(resolve, this.options.stopTimeoutMs ?? 5000);
      });
      await Promise.race([Promise.allSettled(inFlight), timedOut]);
      if (bound !== undefined) this.timers.clearTimeout(bound);
    }
    const pending = this.slots.filter((s) => s.poll !== undefined).map((s) => s.runtime.id);
    return { settled: pending.length === 0, pending };
  }

  progress(): PollProgress {
    return {
      running: this.running,
      devices: this.slots.filter((s) => s.runtime.config.enabled).length,
      completedPolls: this.completedPolls,
      lastProgressMono: this.lastProgressMono,
    };
  }

  snapshot(): ScheduledDeviceSnapshot[] {
    const now = this.options.clock.mono();
    return this.slots.map((slot) => {
      const schedule: ScheduleSnapshot = { skippedSlots: slot.skippedSlots };
      if (slot.timer !== undefined) schedule.nextPollInMs = Math.max(0, slot.dueMono - now);
      if (slot.backoffMs !== undefined) schedule.backoffMs = slot.backoffMs;
      return { ...slot.runtime.snapshot(), schedule };
    });
  }

  private arm(slot: Slot, dueMono: number): void {
    this.disarm(slot); // one timer per device, whatever path armed it last
    slot.dueMono = dueMono;
    const delay = Math.max(0, dueMono - this.options.clock.mono());
    slot.timer = this.timers.setTimeout(() => this.fire(slot), delay);
  }

  private disarm(slot: Slot): void {
    if (slot.timer !== undefined) this.timers.clearTimeout(slot.timer);
    delete slot.timer;
  }

  private fire(slot: Slot): void {
    delete slot.timer;
    if (!this.running) return;
    // pollOnce never rejects; the second handler only guards against a broken runtime.
    const poll = slot.runtime
      .pollOnce()
      .then(
        (outcome) => this.afterPoll(slot, outcome),
        () => this.afterPoll(slot, { ok: false, code: 'UNKNOWN' }),
      )
      .catch(() => {
        // Scheduling itself failed (a bug): a detector must never drop out of polling for it.
        delete slot.poll;
        if (this.running && slot.timer === undefined) this.arm(slot, this.options.clock.mono() + slot.runtime.config.pollIntervalMs);
      });
    slot.poll = poll;
  }

  private afterPoll(slot: Slot, outcome: PollOutcome): void {
    delete slot.poll;
    this.completedPolls += 1;
    this.lastProgressMono = this.options.clock.mono();
    if (!this.running) return;
    const { runtime } = slot;
    const interval = runtime.config.pollIntervalMs;
    const now = this.options.clock.mono();
    if (outcome.ok) {
      delete slot.backoffMs;
      let next = slot.dueMono + interval;
      if (next < now) {
        const missed = Math.ceil((now - next) / interval);
        slot.skippedSlots += missed;
        next += missed * interval;
      }
      this.arm(slot, next);
      return;
    }
    const delay = backoffDelayMs(runtime.consecutiveFailures, interval, runtime.config.backoff, this.random);
    slot.backoffMs = delay;
    this.arm(slot, now + delay);
  }

  private armWatchdog(): void {
    const period = this.options.watchdogMs ?? 1000;
    this.watchdog = this.timers.setTimeout(() => {
      if (!this.running) return;
      try {
        for (const slot of this.slots) if (slot.runtime.config.enabled) slot.runtime.tick();
      } finally {
        this.armWatchdog();
      }
    }, period);
  }
}
