import type { GatewayEvent } from '../model/event.js';
import { eventPriority } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { OutboxClock } from './clock-epochs.js';
import { PRIORITIES, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type Priority, type SentEvent, type SentReading } from './types.js';

/**
 * Where records wait while the outbox file cannot be written (a storage fault): in memory, leased
 * to the uplink exactly like outbox rows, so live delivery goes on. Ids are negative (-1, -2, ...)
 * so they can never be mistaken for outbox row ids. Events are never dropped; readings are
 * bounded, the oldest waiting ones dropped first and counted.
 */

interface Held {
  id: number;
  priority: Priority;
  bytes: number;
  event?: GatewayEvent;
  reading?: Reading;
}

export interface DroppedSpan {
  count: number;
  fromTs: number;
  toTs: number;
}

export class MemoryQueue {
  private lastId = 0;
  /** Waiting records per priority, oldest first (ids descending toward more negative = newer). */
  private readonly waiting: Held[][] = PRIORITIES.map(() => []);
  private readonly leased = new Map<number, Held>();
  private dropped: DroppedSpan | undefined;
  private droppedTotal = 0;

  constructor(
    private readonly maxReadings: number,
    private readonly clock: OutboxClock,
  ) {}

  addEvent(event: GatewayEvent): Priority {
    const priority = eventPriority(event) as Priority;
    this.waiting[priority]!.push({ id: --this.lastId, priority, bytes: 0, event });
    return priority;
  }

  addReading(reading: Reading): void {
    const queue = this.waiting[PRIORITY_TELEMETRY]!;
    queue.push({ id: --this.lastId, priority: PRIORITY_TELEMETRY, bytes: Buffer.byteLength(JSON.stringify(reading)), reading });
    while (queue.length > 0 && queue.length + this.leasedReadings() > this.maxReadings) {
      const old = queue.shift()!;
      this.noteDropped(old.reading!.ts);
    }
  }

  /** The most urgent waiting records at or above `limits.maxPriority`, leased; ids go back to delivered() or release(). */
  lease(priority: Priority, limits: BatchLimits): Batch | undefined {
    const queue = this.waiting[priority]!;
    if (queue.length === 0) return undefined;
    if (priority !== PRIORITY_TELEMETRY) {
      const held = queue.shift()!;
      this.leased.set(held.id, held);
      return { kind: 'event', priority: priority as 0 | 1, ids: [held.id], event: this.corrected(held.event!) };
    }
    const taken: Held[] = [];
    let bytes = 0;
    while (queue.length > 0 && taken.length < limits.maxReadings) {
      const next = queue[0]!;
      if (taken.length > 0 && bytes + next.bytes > limits.maxBytes) break;
      taken.push(queue.shift()!);
      bytes += next.bytes;
    }
    for (const h of taken) this.leased.set(h.id, h);
    return { kind: 'telemetry', priority: PRIORITY_TELEMETRY, ids: taken.map((h) => h.id), readings: taken.map((h) => this.corrected(h.reading!)) };
  }

  /** Delivered: gone. Unknown ids are ignored. */
  delivered(ids: readonly number[]): void {
    for (const id of ids) this.leased.delete(id);
  }

  /** Not delivered: back to the head of their queue, in their original order. */
  release(ids: readonly number[]): void {
    const back: Held[] = [];
    for (const id of ids) {
      const h = this.leased.get(id);
      if (h === undefined) continue;
      this.leased.delete(id);
      back.push(h);
    }
    for (const h of back) insertInOrder(this.waiting[h.priority]!, h);
  }

  /** Removes and returns every waiting (not leased) record, for the outbox once it can be written again. */
  takeWaiting(): { events: GatewayEvent[]; readings: Reading[] } {
    const events: GatewayEvent[] = [];
    const readings: Reading[] = [];
    for (const queue of this.waiting) {
      for (const h of queue.splice(0)) {
        if (h.event !== undefined) events.push(h.event);
        else readings.push(h.reading!);
      }
    }
    return { events, readings };
  }

  /** Readings dropped since the last call (for one `dropped` event), and forgets them. */
  takeDropped(): DroppedSpan | undefined {
    const d = this.dropped;
    this.dropped = undefined;
    return d;
  }

  depth(priority: Priority): number {
    let leased = 0;
    for (const h of this.leased.values()) if (h.priority === priority) leased++;
    return this.waiting[priority]!.length + leased;
  }

  waitingCount(): number {
    return this.waiting.reduce((n, q) => n + q.length, 0);
  }

  inflight(): number {
    return this.leased.size;
  }

  droppedReadings(): number {
    return this.droppedTotal;
  }

  /** Wall time of the oldest record held (waiting or leased), if any. */
  oldestTs(): number | undefined {
    let oldest: number | undefined;
    const consider = (h: Held): void => {
      const ts = h.event?.ts ?? h.reading!.ts;
      if (oldest === undefined || ts < oldest) oldest = ts;
    };
    for (const q of this.waiting) if (q[0] !== undefined) consider(q[0]);
    for (const h of this.leased.values()) consider(h);
    return oldest;
  }

  private leasedReadings(): number {
    let n = 0;
    for (const h of this.leased.values()) if (h.priority === PRIORITY_TELEMETRY) n++;
    return n;
  }

  private noteDropped(ts: number): void {
    this.droppedTotal++;
    const d = this.dropped;
    this.dropped = d === undefined ? { count: 1, fromTs: ts, toTs: ts } : { count: d.count + 1, fromTs: Math.min(d.fromTs, ts), toTs: Math.max(d.toTs, ts) };
  }

  /**
   * Records stamped before the clock was synchronized, sent after it was: corrected from their
   * monotonic time (same process, same origin), the original stamp kept beside, as the outbox does.
   */
  private corrected<T extends SentEvent | SentReading>(record: T): T {
    if (record.synced || !this.clock.synced()) return record;
    const ts = Math.round(this.clock.now() - (this.clock.mono() - record.mono));
    return { ...record, ts, synced: true, tsUnsynced: record.ts };
  }
}

/** Held ids are negative and decrease with age reversed: -1 is older than -2. */
function insertInOrder(queue: Held[], h: Held): void {
  let i = 0;
  while (i < queue.length && queue[i]!.id > h.id) i++;
  queue.splice(i, 0, h);
}
