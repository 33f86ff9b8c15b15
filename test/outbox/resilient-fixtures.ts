import { ManualClock } from '../../src/clock/clock.js';
import type { FaultReporter } from '../../src/faults/gateway-faults.js';
import { Outbox, OutboxStorageError } from '../../src/outbox/index.js';
import type { IntegrityVerdict } from '../../src/outbox/integrity-check.js';
import type { OutboxOptions } from '../../src/outbox/outbox.js';
import { ResilientOutbox, type ResilientOutboxOptions } from '../../src/outbox/resilient-outbox.js';
import { GATEWAY } from './fixtures.js';

/** Records what the store reports as faults. */
export class FaultLog implements FaultReporter {
  readonly log: string[] = [];
  private readonly on = new Set<string>();
  raise(key: string): void {
    if (this.on.has(key)) return;
    this.on.add(key);
    this.log.push(`raise ${key}`);
  }
  clear(key: string): void {
    if (!this.on.delete(key)) return;
    this.log.push(`clear ${key}`);
  }
  active(key: string): boolean {
    return this.on.has(key);
  }
}

/** An opener whose outboxes can be made to fail the next write, as a failing fsync would. */
export function failingOpener() {
  const boxes: Outbox[] = [];
  let failNext = false;
  let refuseOpen: string | undefined;
  const open = (o: OutboxOptions): Outbox => {
    if (refuseOpen !== undefined) throw Object.assign(new Error(`open: ${refuseOpen}`), { code: refuseOpen });
    const box = Outbox.open(o);
    const append = box.appendEvent.bind(box);
    box.appendEvent = (e, destinations) => {
      if (failNext) {
        failNext = false;
        throw new OutboxStorageError('appendEvent', 'SQLITE_IOERR_FSYNC');
      }
      append(e, destinations);
    };
    const appendAll = box.appendEvents.bind(box);
    box.appendEvents = (events) => {
      if (failNext) {
        failNext = false;
        throw new OutboxStorageError('appendEvent', 'SQLITE_IOERR_FSYNC');
      }
      appendAll(events);
    };
    boxes.push(box);
    return box;
  };
  return {
    open,
    boxes,
    failNextWrite: () => (failNext = true),
    refuseOpen: (code: string | undefined) => (refuseOpen = code),
  };
}

export function store(t: { teardown(fn: () => void): void }, path: string, extra: Partial<Omit<ResilientOutboxOptions, 'outbox'>> & { outbox?: Partial<OutboxOptions> } = {}) {
  const faults = new FaultLog();
  const clock = new ManualClock(Date.UTC(2026, 5, 1), 1000, true);
  const { outbox, ...rest } = extra;
  const s = new ResilientOutbox({
    clock,
    gatewayId: GATEWAY,
    faults,
    reopenMinMs: 20,
    reopenMaxMs: 40,
    check: async (): Promise<IntegrityVerdict> => ({ verdict: 'ok' }),
    ...rest,
    outbox: { gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, ...outbox, path },
  });
  t.teardown(() => s.close());
  return { s, faults, clock };
}

