import type { FaultOptions, FaultReporter } from './gateway-faults.js';

type Held = { op: 'raise'; key: string; message: string; opts?: FaultOptions } | { op: 'clear'; key: string; message?: string };

/** More than the gateway's state files and parts could raise before the outbox opens. */
const MAX_HELD = 100;

/**
 * A FaultReporter for parts built before the event path exists (a state file read while the
 * daemon is being composed, before the outbox is open): faults are held, in order, and handed
 * to the real reporter once it is attached. Never throws.
 */
export class DeferredFaults implements FaultReporter {
  private target: FaultReporter | undefined;
  private readonly held: Held[] = [];
  private readonly raised = new Set<string>();

  raise(key: string, message: string, opts?: FaultOptions): void {
    if (this.target) return this.target.raise(key, message, opts);
    if (this.raised.has(key)) return;
    this.raised.add(key);
    this.hold(opts === undefined ? { op: 'raise', key, message } : { op: 'raise', key, message, opts });
  }

  clear(key: string, message?: string): void {
    if (this.target) return this.target.clear(key, message);
    if (!this.raised.delete(key)) return;
    this.hold(message === undefined ? { op: 'clear', key } : { op: 'clear', key, message });
  }

  active(key: string): boolean {
    return this.target ? this.target.active(key) : this.raised.has(key);
  }

  /** From now on faults go to `target`; the held ones first, in order. */
  attach(target: FaultReporter): void {
    this.target = target;
    for (const h of this.held.splice(0)) {
      if (h.op === 'raise') target.raise(h.key, h.message, h.opts);
      else target.clear(h.key, h.message);
    }
    this.raised.clear();
  }

  private hold(h: Held): void {
    if (this.held.length < MAX_HELD) this.held.push(h);
  }
}
