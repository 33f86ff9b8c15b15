import { activeLevel, bias, contactPointSpec, rawLevel } from '../../drivers/gpio-contact/contact.js';
import type { Clock } from '../clock/clock.js';
import type { GpioInputConfig } from '../config/io-types.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import { normalize } from './normalize.js';
import type { ReadingSink } from '../model/sinks.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import type { RulesEngine } from '../rules/engine.js';
import type { EventSink } from '../model/sinks.js';
import { ReconnectBackoff } from '../retry/backoff.js';
import { Debouncer } from './debounce.js';
import { lineRef, lineText, type GpioBackend, type InputLine, type Level, type LineHealth } from '../bus/gpio/types.js';

/**
 * Dry-contact inputs as devices with one boolean point each, pushed into the same pipeline as
 * polled devices (normalize → sink → rules → events → outbox → uplink) on every debounced edge,
 * without waiting for any poll interval. Nothing polls: an input is a kernel edge subscription.
 *
 * A line that cannot be requested, or that reports itself down, is a fault of that input
 * (`input:<id>`, on the input's device and location). While it is down its level is unknown, so
 * no reading is made up; a line that could not be requested is requested again on a backoff. When
 * the line is back its level is read and pushed as a reading (the rules decide alarm or restore)
 * and the fault is cleared.
 */

export interface ContactInputsOptions {
  gatewayId: string;
  backend: GpioBackend;
  inputs: readonly GpioInputConfig[];
  clock: Clock;
  seq: SequenceSource;
  rules: RulesEngine;
  sink: ReadingSink & EventSink;
  logger: Logger;
  timers?: Timers;
  faults: FaultReporter;
  /** Re-requests of an unusable line; default 500 ms doubling to 30 s, jittered. */
  retry?: { minMs: number; maxMs: number };
  /** A reading the pipeline refused (storage): the daemon decides what that means. */
  onError?: (error: unknown, deviceId: string) => void;
}

export interface ContactSnapshot {
  id: string;
  name?: string;
  line: string;
  point: string;
  /** Active after polarity, or undefined before the first read. */
  active?: boolean;
  level?: Level;
  /** The line is requested and working: `active` is current. */
  healthy: boolean;
  edges: number;
  changes: number;
}

interface Running {
  cfg: GpioInputConfig;
  line?: InputLine;
  debouncer: Debouncer;
  edges: number;
  changes: number;
  last?: Reading;
  level?: Level;
  healthy: boolean;
  /** A fault is raised for this input. */
  faulted: boolean;
  backoff: ReconnectBackoff;
  retry?: TimerHandle;
  /** Bumped on every health change: a read started before the change is discarded. */
  epoch: number;
}

export class ContactInputs {
  private readonly running: Running[] = [];
  private readonly timers: Timers;
  private stopped = false;

  constructor(private readonly options: ContactInputsOptions) {
    this.timers = options.timers ?? systemTimers;
    const { minMs = 500, maxMs = 30_000 } = options.retry ?? {};
    for (const cfg of options.inputs.filter((i) => i.enabled)) {
      options.rules.addDevice({
        id: cfg.id,
        location: cfg.location,
        points: [contactPointSpec(cfg)],
        // A contact has no polls to miss; wire-break supervision is the NC wiring's job.
        offline: { afterPolls: Number.MAX_SAFE_INTEGER, afterMs: Number.MAX_SAFE_INTEGER },
      });
      const r: Running = { cfg, edges: 0, changes: 0, healthy: false, faulted: false, epoch: 0, backoff: new ReconnectBackoff(minMs, maxMs), debouncer: undefined as unknown as Debouncer };
      r.debouncer = new Debouncer(cfg.debounceMs, (level) => this.push(r, level), options.timers);
      this.running.push(r);
    }
  }

  async start(): Promise<void> {
    this.stopped = false;
    for (const r of this.running) {
      await this.attach(r);
      if (r.healthy) {
        this.options.logger.info({ input: r.cfg.id, line: lineText(lineRef(r.cfg)), active: r.last?.value, activeLevel: activeLevel(r.cfg.contact, r.cfg.wiring) }, 'GPIO contact watched');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.running) {
      if (r.retry !== undefined) this.timers.clearTimeout(r.retry);
      delete r.retry;
      r.debouncer.stop();
      r.healthy = false;
      await r.line?.close();
      delete r.line;
    }
  }

  snapshot(): ContactSnapshot[] {
    return this.running.map((r) => {
      const s: ContactSnapshot = { id: r.cfg.id, line: lineText(lineRef(r.cfg)), point: r.cfg.point, healthy: r.healthy, edges: r.edges, changes: r.changes };
      if (r.cfg.name !== undefined) s.name = r.cfg.name;
      if (r.last !== undefined) s.active = r.last.value as boolean;
      if (r.level !== undefined) s.level = r.level;
      return s;
    });
  }

  /** Requests the line if it is not held yet, then reads it; a failure is a fault and a retry. */
  private async attach(r: Running): Promise<void> {
    const epoch = r.epoch;
    try {
      if (r.line === undefined) {
        const line = await this.options.backend.input(lineRef(r.cfg), { bias: bias(r.cfg.wiring), onHealth: (h) => this.health(r, h) }, (l) => this.edge(r, l));
        if (this.stopped) return void (await line.close());
        r.line = line;
      }
      const level = await r.line.read();
      if (this.stopped || r.epoch !== epoch) return;
      this.up(r, level);
    } catch (err) {
      // One unusable line (busy, unknown name) must not keep the rest of the gateway down: it is a
      // fault of this contact, so the platform knows it is not supervised, and it is tried again.
      if (this.stopped || r.epoch !== epoch) return;
      this.down(r, (err as Error).message, (err as { code?: string }).code);
      this.retryLater(r);
    }
  }

  private health(r: Running, h: LineHealth): void {
    if (this.stopped) return;
    r.epoch += 1;
    if (r.retry !== undefined) this.timers.clearTimeout(r.retry);
    delete r.retry;
    if (h.ok) {
      // The backend brought the line back: its level now is the truth, whatever edges said.
      void this.attach(r);
      return;
    }
    this.down(r, h.message, h.code);
  }

  private edge(r: Running, level: Level): void {
    r.edges += 1;
    // A line that is down, or not read yet, has no level to debounce against.
    if (r.healthy) r.debouncer.edge(level);
  }

  private up(r: Running, level: Level): void {
    r.healthy = true;
    r.backoff.reset();
    r.debouncer.initial(level);
    if (r.faulted) {
      r.faulted = false;
      this.options.faults.clear(faultKey(r), `GPIO input ${r.cfg.id} (${lineText(lineRef(r.cfg))}) watched again`);
    }
    // The state at start (or after the line came back) is a reading too: a contact already in
    // alarm raises its alarm now, one that ended meanwhile restores.
    this.push(r, level);
  }

  private down(r: Running, why: string, code: string | undefined): void {
    const { faults, logger } = this.options;
    r.healthy = false;
    r.debouncer.stop();
    if (r.faulted) return;
    r.faulted = true;
    const message = `GPIO input ${r.cfg.id} (${lineText(lineRef(r.cfg))}) not watched: ${why}`;
    logger.error({ input: r.cfg.id, code }, message);
    faults.raise(faultKey(r), message, { deviceId: r.cfg.id, point: 'line', location: r.cfg.location });
  }

  private retryLater(r: Running): void {
    if (r.retry !== undefined || this.stopped) return;
    r.retry = this.timers.setTimeout(() => {
      delete r.retry;
      if (!this.stopped) void this.attach(r);
    }, r.backoff.next());
  }

  private push(r: Running, level: Level): void {
    const { gatewayId, clock, seq, sink, rules, onError } = this.options;
    if (r.level !== undefined && r.level !== level) r.changes += 1;
    r.level = level;
    try {
      const reading = normalize(contactPointSpec(r.cfg), rawLevel(level), { gatewayId, deviceId: r.cfg.id, clock, seq });
      r.last = reading;
      sink.reading(reading);
      rules.pollSucceeded(r.cfg.id, [reading]);
    } catch (error) {
      onError?.(error, r.cfg.id);
    }
  }
}

function faultKey(r: Running): string {
  return `input:${r.cfg.id}`;
}
