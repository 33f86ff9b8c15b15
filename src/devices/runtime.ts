import type { Clock } from '../clock/clock.js';
import type { DeviceConfig } from '../config/types.js';
import type { Location } from '../model/location.js';
import type { Quality, PointValue, Reading } from '../model/reading.js';
import type { ReadingSink } from '../model/sinks.js';
import type { SequenceSource } from '../model/sequence.js';
import type { RulesEngine } from '../rules/engine.js';
import type { DeviceDriver, RawValue } from '../model/driver.js';
import { normalizeAll } from './normalize.js';
import { pollPriority } from './priority.js';

/**
 * One configured device at run time: its driver, config, counters and latest values. A poll is
 * read → normalize → readings to the sink → rules (which emit events to their own sink). Nothing a
 * device or a sink does escapes as an exception: a dead slave is a counter and an offline event.
 */

/** Code recorded when a failure carries no `code` (a driver bug, not a bus condition). */
export const UNKNOWN_ERROR_CODE = 'UNKNOWN';
/** The driver resolved with something that is not a list of raw values. */
export const DRIVER_MALFORMED_CODE = 'DRIVER_MALFORMED';

export interface PollCounters {
  polls: number;
  ok: number;
  failed: number;
  consecutiveFailures: number;
  /** Failed polls by error code (MODBUS_TIMEOUT, MODBUS_CRC, ...). */
  errorsByCode: Record<string, number>;
  lastErrorCode?: string;
  /** Wall time of the last valid answer. */
  lastOkAt?: number;
  lastOkMono?: number;
  lastPollMs?: number;
  /** Raw values for points the profile does not declare (driver/profile mismatch). */
  unknownPoints: number;
  /** Readings or events the sink refused; see `onError`. */
  sinkErrors: number;
}

export type PollOutcome = { ok: true; readings: number } | { ok: false; code: string };

export type DeviceState = 'disabled' | 'starting' | 'online' | 'offline';

export interface PointSnapshot {
  value: PointValue;
  unit?: string;
  quality: Quality;
  ts: number;
  synced: boolean;
}

export interface DeviceSnapshot {
  id: string;
  name?: string;
  profile: string;
  bus: string;
  address: number;
  location: Location;
  enabled: boolean;
  state: DeviceState;
  pollIntervalMs: number;
  priority: number;
  polling: boolean;
  counters: PollCounters;
  values: Record<string, PointSnapshot>;
}

export interface DeviceRuntimeOptions {
  gatewayId: string;
  config: DeviceConfig;
  driver: DeviceDriver;
  clock: Clock;
  seq: SequenceSource;
  /** The gateway's rules engine; the device is registered with it here. Events go to its sink. */
  rules: RulesEngine;
  sink: ReadingSink;
  /** A sink or rule delivery failed (the outbox refused a record): the daemon decides what that means. */
  onError?: (error: unknown, deviceId: string) => void;
}

/** The `code` of a typed error (HearthError and Node system errors), never its message. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return UNKNOWN_ERROR_CODE;
}

export class DeviceRuntime {
  readonly id: string;
  readonly config: DeviceConfig;
  /** Bus priority of this device's polls (0 for fire-relevant devices, 10 otherwise). */
  readonly priority: number;
  private readonly counters: PollCounters = { polls: 0, ok: 0, failed: 0, consecutiveFailures: 0, errorsByCode: {}, unknownPoints: 0, sinkErrors: 0 };
  private readonly values = new Map<string, Reading>();
  private inFlight: Promise<PollOutcome> | undefined;

  constructor(private readonly options: DeviceRuntimeOptions) {
    this.id = options.config.id;
    this.config = options.config;
    this.priority = pollPriority(options.driver.points, options.config.thresholds);
    options.rules.addDevice({
      id: this.id,
      location: options.config.location,
      points: options.driver.points,
      thresholds: options.config.thresholds,
      offline: options.config.offline,
    });
  }

  get polling(): boolean {
    return this.inFlight !== undefined;
  }

  get consecutiveFailures(): number {
    return this.counters.consecutiveFailures;
  }

  get state(): DeviceState {
    if (!this.config.enabled) return 'disabled';
    const a = this.options.rules.availability(this.id);
    return a === 'unknown' ? 'starting' : a;
  }

  /**
   * Poll once. Never rejects. A call while a poll of this device is still running joins that poll
   * instead of starting another: one request per device on the bus at a time.
   */
  pollOnce(): Promise<PollOutcome> {
    if (this.inFlight !== undefined) return this.inFlight;
    const poll = this.runPoll().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = poll;
    return poll;
  }

  /**
   * A poll that starts after this call: one already running is waited for, then another is made.
   * For "read now" in the console: a poll that began before the installer asked may have read the
   * device before the change they are looking for.
   */
  async pollFresh(): Promise<PollOutcome> {
    const running = this.inFlight;
    if (running !== undefined) await running;
    return this.pollOnce();
  }

  /** Time-based availability checks (offline after `afterMs` while polls are backed off). */
  tick(): void {
    if (!this.config.enabled) return;
    this.deliver(() => this.options.rules.tick(this.id));
  }

  /** Latest reading per point (the last answer that included the point). */
  latest(point: string): Reading | undefined {
    return this.values.get(point);
  }

  snapshot(): DeviceSnapshot {
    const c = this.config;
    const values: Record<string, PointSnapshot> = {};
    for (const [point, r] of this.values) {
      const p: PointSnapshot = { value: r.value, quality: r.quality, ts: r.ts, synced: r.synced };
      if (r.unit !== undefined) p.unit = r.unit;
      values[point] = p;
    }
    const snap: DeviceSnapshot = {
      id: c.id,
      profile: c.profile,
      bus: c.bus,
      address: c.address,
      location: { ...c.location },
      enabled: c.enabled,
      state: this.state,
      pollIntervalMs: c.pollIntervalMs,
      priority: this.priority,
      polling: this.polling,
      counters: { ...this.counters, errorsByCode: { ...this.counters.errorsByCode } },
      values,
    };
    if (c.name !== undefined) snap.name = c.name;
    return snap;
  }

  private async runPoll(): Promise<PollOutcome> {
    const { clock, driver } = this.options;
    const started = clock.mono();
    this.counters.polls += 1;
    let raws: RawValue[];
    try {
      raws = await driver.read({ priority: this.priority });
      if (!Array.isArray(raws)) return this.failed(DRIVER_MALFORMED_CODE, started);
    } catch (error) {
      return this.failed(errorCode(error), started);
    }
    return this.succeeded(raws, started);
  }

  private succeeded(raws: RawValue[], started: number): PollOutcome {
    const { clock, seq, gatewayId, sink, rules, driver } = this.options;
    const c = this.counters;
    c.ok += 1;
    c.consecutiveFailures = 0;
    c.lastOkAt = clock.now();
    c.lastOkMono = clock.mono();
    c.lastPollMs = clock.mono() - started;
    const { readings, unknown } = normalizeAll(driver.points, raws, { gatewayId, deviceId: this.id, clock, seq });
    c.unknownPoints += unknown.length;
    for (const r of readings) {
      this.values.set(r.point, r);
      this.deliver(() => sink.reading(r));
    }
    this.deliver(() => rules.pollSucceeded(this.id, readings));
    return { ok: true, readings: readings.length };
  }

  private failed(code: string, started: number): PollOutcome {
    const c = this.counters;
    c.failed += 1;
    c.consecutiveFailures += 1;
    c.lastErrorCode = code;
    c.errorsByCode[code] = (c.errorsByCode[code] ?? 0) + 1;
    c.lastPollMs = this.options.clock.mono() - started;
    this.deliver(() => this.options.rules.pollFailed(this.id, code));
    return { ok: false, code };
  }

  /** Runs a hand-over to the sink or the rules; a failure is counted and reported, never thrown. */
  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.counters.sinkErrors += 1;
      try {
        this.options.onError?.(error, this.id);
      } catch {
        // The error reporter itself failed: the counter above still records the problem.
      }
    }
  }
}
