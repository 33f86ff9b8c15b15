import type { Batch } from '../outbox/types.js';
import { ReconnectBackoff } from '../retry/backoff.js';

type EventBatch = Extract<Batch, { kind: 'event' }>;

/** A refused fire alarm is retried at least this often, for as long as it takes (GB 26875.1 §4.1.2.1: 10 s to the centre). */
export const FIRE_RETRY_MAX_MS = 3000;

/**
 * Fire alarms the broker refused. They are never parked: each stays leased from the outbox and is
 * published again on its own short back-off (jittered, at most FIRE_RETRY_MAX_MS apart), while
 * other records, including other fire alarms, keep flowing. Released to the outbox when the link
 * drops.
 */
export class FireRetries {
  private readonly held = new Map<number, { batch: EventBatch; dueAt: number }>();
  /** Per fire alarm (first record id): its back-off, kept across re-publishes until accepted. */
  private readonly backoffs = new Map<number, ReconnectBackoff>();

  constructor(
    private readonly minMs: number,
    private readonly random?: () => number,
  ) {}

  /** Holds a refused fire alarm; returns the delay before it goes again. */
  hold(batch: EventBatch, now: number): number {
    const key = batch.ids[0]!;
    let backoff = this.backoffs.get(key);
    if (backoff === undefined) {
      const min = Math.min(this.minMs, FIRE_RETRY_MAX_MS);
      this.backoffs.set(key, (backoff = new ReconnectBackoff(min, FIRE_RETRY_MAX_MS, this.random)));
    }
    const delay = backoff.next();
    this.held.set(key, { batch, dueAt: now + delay });
    return delay;
  }

  /** The first held fire alarm whose time has come, taken out of the hold (it stays leased). */
  takeDue(now: number): EventBatch | undefined {
    for (const [key, h] of this.held) {
      if (h.dueAt > now) continue;
      this.held.delete(key);
      return h.batch;
    }
    return undefined;
  }

  /** Milliseconds until the next held alarm is due; undefined when none is held. */
  nextDueIn(now: number): number | undefined {
    let next: number | undefined;
    for (const h of this.held.values()) next = next === undefined ? h.dueAt : Math.min(next, h.dueAt);
    return next === undefined ? undefined : Math.max(0, next - now);
  }

  /** The broker took it: its back-off is forgotten. */
  accepted(batch: Batch): void {
    this.backoffs.delete(batch.ids[0]!);
  }

  /** Fire alarms refused and not accepted since: held, or re-published and awaiting the PUBACK. */
  pending(): number {
    return this.backoffs.size;
  }

  /** The link is gone: every held alarm goes back to the outbox. */
  releaseAll(): EventBatch[] {
    const batches = [...this.held.values()].map((h) => h.batch);
    this.held.clear();
    this.backoffs.clear();
    return batches;
  }
}
