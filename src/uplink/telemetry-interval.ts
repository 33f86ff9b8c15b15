import { PRIORITY_EVENT, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type Priority, type UplinkSource } from '../outbox/types.js';

/** The outbox as the drain sees it, with telemetry paced to `intervalMs` (0: the outbox itself). */
export function withTelemetryInterval(inner: UplinkSource, intervalMs: number): UplinkSource {
  if (!(intervalMs > 0)) return inner;
  const pace = new TelemetryInterval(inner, intervalMs);
  const source: UplinkSource = {
    nextBatch: (limits) => pace.nextBatch(limits),
    delivered: (ids) => inner.delivered(ids),
    release: (ids) => inner.release(ids),
    stats: () => inner.stats(),
    onCommitted: (listener) => pace.onCommitted(listener),
  };
  // Parking is optional in an UplinkSource; the drain checks for it.
  if (inner.park !== undefined) source.park = (ids, reason) => inner.park!(ids, reason);
  if (inner.unparkAll !== undefined) source.unparkAll = () => inner.unparkAll!();
  if (inner.unparkOne !== undefined) source.unparkOne = (afterId) => inner.unparkOne!(afterId);
  return source;
}

/**
 * Telemetry at most once per `intervalMs` (platform.telemetryIntervalMs), unless a full batch
 * waits: the outbox in front of the drain, holding readings back so they leave in one message a
 * minute instead of one per poll. On a metered link the message, not the reading, is what costs:
 * MQTT and TCP headers, the topic and the batch's envelope are paid per message, and with report
 * by exception a poll's news is one or two readings. The readings wait in the outbox (durable), so
 * nothing is lost by waiting.
 *
 * Events are never held: fire alarms, alarms, faults and restores pass at once. A backlog (the
 * previous batch filled its limits) drains without pause. After `intervalMs` the committed
 * listeners are told, so the drain looks again.
 */
class TelemetryInterval {
  private lastSentAt = -Infinity;
  private lastWasFull = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(priority: Priority) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly inner: UplinkSource,
    private readonly intervalMs: number,
  ) {}

  nextBatch(limits: BatchLimits): Batch | undefined {
    const telemetryAllowed = (limits.maxPriority ?? PRIORITY_TELEMETRY) >= PRIORITY_TELEMETRY;
    const wait = this.intervalMs - (performance.now() - this.lastSentAt);
    const hold = telemetryAllowed && wait > 0 && !this.lastWasFull;
    if (hold) this.wakeIn(wait);
    const batch = this.inner.nextBatch(hold ? { ...limits, maxPriority: PRIORITY_EVENT } : limits);
    if (batch?.kind === 'telemetry') {
      this.lastSentAt = performance.now();
      this.lastWasFull = batch.ids.length >= limits.maxReadings || JSON.stringify(batch.readings).length >= limits.maxBytes / 2;
    }
    return batch;
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    this.listeners.add(listener);
    this.unsubscribe ??= this.inner.onCommitted((p) => this.committed(p));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
    };
  }

  private wakeIn(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit(PRIORITY_TELEMETRY);
    }, Math.ceil(ms));
    this.timer.unref();
  }

  private emit(priority: Priority): void {
    for (const l of [...this.listeners]) l(priority);
  }

  /**
   * A commit in the outbox. Readings committed while the interval holds telemetry back are not
   * passed on: the wake at the interval's end (armed) sends them, and a drain woken for each
   * reading would look at the outbox once per poll for nothing (50 times a second with 50 units).
   */
  private committed(priority: Priority): void {
    if (priority === PRIORITY_TELEMETRY && this.timer !== undefined) return;
    this.emit(priority);
  }
}
