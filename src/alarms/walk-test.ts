import { HearthError } from '../errors.js';
import type { GatewayEvent } from '../model/event.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';

/**
 * The walk test (EN 54-2 "test condition"): an installer puts the site, or some devices, in test
 * for a bounded time and sets off each detector for real. This unit only decides, for each event,
 * whether it is a test event and whether it may drive sounders; the alarm desk asks it once per
 * event (src/alarms/desk.ts) and holds the sounder demands of quiet test alarms.
 *
 * What keeps a walk test from hiding a real fire:
 *  - it covers only the devices chosen (or the site) and only until its end time, at most
 *    MAX_MINUTES; it ends by itself (a timer, and a check of the clock on every event, so a lost
 *    timer cannot stretch it);
 *  - a test alarm is still an alarm: it is on the desk, stored and sent to the platform, flagged
 *    `test: true`; only its sounders are held, and only when the installer did not ask for them;
 *  - faults, tamper and offline conditions are never test events;
 *  - when the test ends, the desk gives held sounder demands back to every test alarm that is still
 *    in alarm (src/alarms/desk.ts, walkTestEnded).
 */
export const DEFAULT_MINUTES = 30;
export const MAX_MINUTES = 240;

export interface WalkTestRequest {
  by: string;
  /** Default 30, 1..240. */
  minutes?: number;
  /** Devices in test; absent = the whole site. */
  devices?: string[];
  /** Sound the sounders for test alarms too (default false: a silent walk test). */
  sounders?: boolean;
}

/** One detector going into alarm during the test: which, which point, when. */
export interface WalkTestHit {
  deviceId: string;
  point?: string;
  eventId: string;
  at: number;
  restoredAt?: number;
}

export interface WalkTestSession {
  id: string;
  by: string;
  startedAt: number;
  endsAt: number;
  devices?: string[];
  sounders: boolean;
  hits: WalkTestHit[];
  endedAt?: number;
  /** Who ended it, or `timeout` when its time ran out. */
  endedBy?: string;
}

export interface TestVerdict {
  /** Raised (or restored) inside an active walk test: flagged `test: true` upstream. */
  test: boolean;
  /** Its sounder demands are held until the test ends (the installer did not ask for sounders). */
  holdSounders: boolean;
}

const NORMAL: TestVerdict = { test: false, holdSounders: false };

export interface WalkTestOptions {
  now: () => number;
  timers?: Timers;
  /** Told when a test ends, by a person or by its time running out. */
  onEnd?: (session: WalkTestSession) => void;
}

export class WalkTest {
  private session: WalkTestSession | undefined;
  private previous: WalkTestSession | undefined;
  private timer: TimerHandle | undefined;
  /** Ids of test events not yet restored: their restores are test events too. */
  private readonly open = new Set<string>();
  private readonly timers: Timers;
  private seq = 0;

  constructor(private readonly options: WalkTestOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  /** Starts a walk test; throws WALK_TEST_ACTIVE while one runs, WALK_TEST_INVALID for a bad duration or empty device list. */
  start(req: WalkTestRequest): WalkTestSession {
    if (this.active() !== undefined) throw new HearthError('WALK_TEST_ACTIVE', 'a walk test is already running; end it first');
    const minutes = req.minutes ?? DEFAULT_MINUTES;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) throw new HearthError('WALK_TEST_INVALID', `minutes: must be 1-${MAX_MINUTES}, got ${minutes}`);
    if (req.devices !== undefined && req.devices.length === 0) throw new HearthError('WALK_TEST_INVALID', 'devices: name at least one device, or leave it out for the whole site');
    const now = this.options.now();
    this.seq += 1;
    const s: WalkTestSession = { id: `walk-${now}-${this.seq}`, by: req.by, startedAt: now, endsAt: now + minutes * 60_000, sounders: req.sounders === true, hits: [] };
    if (req.devices !== undefined) s.devices = [...new Set(req.devices)];
    this.session = s;
    this.timer = this.timers.setTimeout(() => this.end('timeout'), minutes * 60_000);
    (this.timer as { unref?: () => void }).unref?.();
    return s;
  }

  /** Ends the running test (a person); returns it, or undefined when none ran. */
  stop(by: string): WalkTestSession | undefined {
    if (this.active() === undefined) return undefined;
    return this.end(by);
  }

  /** The running test, if any (ends it first if its time is up). */
  active(): WalkTestSession | undefined {
    if (this.session !== undefined && this.options.now() >= this.session.endsAt) this.end('timeout');
    return this.session;
  }

  /** The running test, else the last one (for the report). */
  latest(): WalkTestSession | undefined {
    return this.active() ?? this.previous;
  }

  /** Whether an event is a test event, and whether it may sound. Records detector alarms. */
  classify(e: GatewayEvent): TestVerdict {
    if (e.restores !== undefined && this.open.has(e.restores)) {
      this.open.delete(e.restores);
      const hit = this.latest()?.hits.find((h) => h.eventId === e.restores);
      if (hit !== undefined) hit.restoredAt = e.ts;
      return { test: true, holdSounders: false };
    }
    const s = this.active();
    if (s === undefined || e.kind !== 'alarm') return NORMAL;
    if (s.devices !== undefined && !s.devices.includes(e.deviceId)) return NORMAL;
    this.open.add(e.id);
    const hit: WalkTestHit = { deviceId: e.deviceId, eventId: e.id, at: e.ts };
    if (e.point !== undefined) hit.point = e.point;
    s.hits.push(hit);
    return { test: true, holdSounders: !s.sounders };
  }

  /** Whether a test alarm's sounders are held now (its test runs, without sounders). */
  holdsSounders(eventId: string): boolean {
    if (!this.open.has(eventId)) return false;
    const s = this.active();
    return s !== undefined && !s.sounders;
  }

  close(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private end(by: string): WalkTestSession {
    const s = this.session!;
    this.close();
    s.endedAt = Math.min(this.options.now(), s.endsAt);
    s.endedBy = by;
    this.previous = s;
    this.session = undefined;
    this.options.onEnd?.(s);
    return s;
  }
}
