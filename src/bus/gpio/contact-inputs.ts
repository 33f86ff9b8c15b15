import { activeLevel, bias, contactPointSpec, rawLevel } from '../../../drivers/gpio-contact/contact.js';
import type { Clock } from '../../clock/clock.js';
import type { GpioInputConfig } from '../../config/io-types.js';
import type { Timers } from '../../devices/timers.js';
import { normalize } from '../../devices/normalize.js';
import type { ReadingSink } from '../../devices/runtime.js';
import type { Logger } from '../../log/logger.js';
import type { Reading } from '../../model/reading.js';
import type { SequenceSource } from '../../model/sequence.js';
import type { EventSink, RulesEngine } from '../../rules/engine.js';
import { buildEvent } from '../../rules/event-factory.js';
import { Debouncer } from './debounce.js';
import { lineText, type GpioBackend, type InputLine, type Level, type LineRef } from './types.js';

/**
 * Dry-contact inputs as devices with one boolean point each, pushed into the same pipeline as
 * polled devices (normalize → sink → rules → events → outbox → uplink) on every debounced edge,
 * without waiting for any poll interval. Nothing polls: an input is a kernel edge subscription.
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
  /** A reading or event the pipeline refused (storage): the daemon decides what that means. */
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
}

export function lineRef(cfg: { pin?: number; line?: string }): LineRef {
  return cfg.pin !== undefined ? { bcm: cfg.pin } : { name: cfg.line! };
}

export class ContactInputs {
  private readonly running: Running[] = [];

  constructor(private readonly options: ContactInputsOptions) {
    for (const cfg of options.inputs.filter((i) => i.enabled)) {
      options.rules.addDevice({
        id: cfg.id,
        location: cfg.location,
        points: [contactPointSpec(cfg)],
        // A contact has no polls to miss; wire-break supervision is the NC wiring's job.
        offline: { afterPolls: Number.MAX_SAFE_INTEGER, afterMs: Number.MAX_SAFE_INTEGER },
      });
      const r: Running = { cfg, edges: 0, changes: 0, debouncer: undefined as unknown as Debouncer };
      r.debouncer = new Debouncer(cfg.debounceMs, (level) => this.push(r, level), options.timers);
      this.running.push(r);
    }
  }

  async start(): Promise<void> {
    const { backend, logger } = this.options;
    for (const r of this.running) {
      let level: Level;
      try {
        r.line = await backend.input(lineRef(r.cfg), { bias: bias(r.cfg.wiring) }, (l) => {
          r.edges += 1;
          r.debouncer.edge(l);
        });
        level = await r.line.read();
      } catch (err) {
        // One unusable line (busy, unknown name) must not keep the rest of the gateway down:
        // it becomes a fault event, so the platform knows this contact is not supervised.
        this.unavailable(r, err);
        continue;
      }
      r.debouncer.initial(level);
      // The state at start is a reading too: a contact already in alarm raises its alarm now.
      this.push(r, level);
      logger.info({ input: r.cfg.id, line: lineText(lineRef(r.cfg)), active: r.last?.value, activeLevel: activeLevel(r.cfg.contact, r.cfg.wiring) }, 'GPIO contact watched');
    }
  }

  async stop(): Promise<void> {
    for (const r of this.running) {
      r.debouncer.stop();
      await r.line?.close();
      delete r.line;
    }
  }

  snapshot(): ContactSnapshot[] {
    return this.running.map((r) => {
      const s: ContactSnapshot = { id: r.cfg.id, line: lineText(lineRef(r.cfg)), point: r.cfg.point, edges: r.edges, changes: r.changes };
      if (r.cfg.name !== undefined) s.name = r.cfg.name;
      if (r.last !== undefined) s.active = r.last.value as boolean;
      if (r.level !== undefined) s.level = r.level;
      return s;
    });
  }

  private unavailable(r: Running, err: unknown): void {
    const { logger, sink, onError } = this.options;
    const message = `GPIO input ${r.cfg.id} (${lineText(lineRef(r.cfg))}) not watched: ${(err as Error).message}`;
    logger.error({ input: r.cfg.id, code: (err as { code?: string }).code }, message);
    try {
      sink.event(buildEvent(this.options, { id: r.cfg.id, location: r.cfg.location }, { kind: 'fault', severity: 'major', message }));
    } catch (error) {
      onError?.(error, r.cfg.id);
    }
  }

  private push(r: Running, level: Level): void {
    const { gatewayId, clock, seq, sink, rules, onError } = this.options;
    if (r.level !== undefined) r.changes += 1;
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
