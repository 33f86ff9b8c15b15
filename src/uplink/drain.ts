import type { MqttClient } from 'mqtt';
import type { Logger } from '../outbox/logger.js';
import { PRIORITY_FIRE, PRIORITY_TELEMETRY, type Batch, type UplinkSource } from '../outbox/types.js';
import { PRIORITY_EVENT } from '../outbox/types.js';
import { ReconnectBackoff } from './backoff.js';
import type { Codec, OutboundMessage } from './codec.js';
import { TokenBucket } from './token-bucket.js';

export interface DrainLimits {
  /** QoS 1 publishes awaiting PUBACK at once. */
  window: number;
  maxReadings: number;
  maxBytes: number;
  /** Readings per second (token bucket); undefined or 0 = unlimited. Events are never limited. */
  ratePerSec?: number;
  /** Readings the bucket saves up. Default: one second's worth, at least one batch. */
  burst?: number;
  /** The same records refused this many times in a row are parked (kept, set aside). Default 5. */
  maxRefusals?: number;
  /**
   * Telemetry bytes awaiting PUBACK at once. An alarm published now reaches the platform only after
   * everything already queued ahead of it on the connection and in the broker, so this bounds the
   * alarm's wait during a backlog drain. Default 256 KiB (at least one batch always goes).
   */
  maxInflightBytes?: number;
}

/** What the drain tells others about sent records. */
export interface DrainHooks {
  /** A fire alarm was published (first or repeated send). */
  fireAlarmSent?(batch: Extract<Batch, { kind: 'event' }>): void;
}

export interface DrainCounters {
  /** Messages published / acknowledged / refused by the broker (negative PUBACK). */
  published: number;
  acked: number;
  rejected: number;
  /** Outbox records confirmed. */
  ackedRecords: number;
}

/** One connection's view: replaced on reconnect, so late callbacks of a dead client are ignored. */
interface Link {
  client: MqttClient;
  window: number;
  inflight: Map<number, Batch>;
  /** Payload bytes of the telemetry in `inflight`, by token. */
  telemetryBytes: Map<number, number>;
  bytesInFlight: number;
}

/**
 * Moves records from the outbox to the broker while connected: lease, encode, publish QoS 1,
 * ack the records in the PUBACK callback (never earlier), release them if the link drops.
 *
 * Alarms first: each free window slot takes the most urgent record at that moment, so a fire alarm
 * appended during a telemetry backlog goes out at the next free slot, and one slot is kept for
 * fire alarms alone so they never wait behind a full window of telemetry.
 */
export class Drain {
  private link: Link | undefined;
  private token = 0;
  private pumping = false;
  private wakeQueued = false;
  private yieldQueued = false;
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Backs off draining after the broker refused a publish (e.g. not authorized). */
  private readonly refusals: ReconnectBackoff;
  private readonly bucket: TokenBucket | undefined;
  /** Refusals in a row per first record id of a refused batch. */
  private readonly refusedTimes = new Map<number, number>();

  constructor(
    private readonly source: UplinkSource,
    private readonly codec: Codec,
    private readonly limits: DrainLimits,
    private readonly counters: DrainCounters,
    private readonly logger: Logger,
    refusalBackoff: { minMs: number; maxMs: number; random?: () => number },
    private readonly hooks: DrainHooks = {},
  ) {
    this.refusals = new ReconnectBackoff(refusalBackoff.minMs, refusalBackoff.maxMs, refusalBackoff.random);
    if (limits.ratePerSec !== undefined && limits.ratePerSec > 0) {
      this.bucket = new TokenBucket(limits.ratePerSec, limits.burst ?? Math.max(limits.ratePerSec, limits.maxReadings));
    }
  }

  /** Starts draining on a fresh connection. `receiveMaximum` is the broker's limit, if it sent one. */
  attach(client: MqttClient, receiveMaximum?: number): void {
    this.detach();
    // Keep one of the broker's slots free for the status messages the session publishes.
    const brokerWindow = receiveMaximum !== undefined ? Math.max(1, receiveMaximum - 1) : Infinity;
    this.link = {
      client,
      window: Math.max(1, Math.min(this.limits.window, brokerWindow)),
      inflight: new Map(),
      telemetryBytes: new Map(),
      bytesInFlight: 0,
    };
    // Records parked after refusals get another chance on every new connection.
    try {
      const n = this.source.unparkAll?.() ?? 0;
      if (n > 0) this.logger.info({ records: n }, 'uplink: parked records returned to the queue');
    } catch (err) {
      this.logger.error({ err }, 'uplink: cannot unpark records');
    }
    this.wake();
  }

  /** The link is gone: every record in flight goes back to the outbox. Returns how many. */
  detach(): number {
    const link = this.link;
    if (link === undefined) return 0;
    this.link = undefined;
    let released = 0;
    for (const batch of link.inflight.values()) {
      this.source.release(batch.ids);
      released += batch.ids.length;
    }
    link.inflight.clear();
    this.notifyIdle();
    return released;
  }

  /** Schedules a pump on the microtask queue: coalesces bursts, runs before any timer or I/O. */
  wake(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.pump();
    });
  }

  private yieldThenPump(): void {
    if (this.yieldQueued) return;
    this.yieldQueued = true;
    setImmediate(() => {
      this.yieldQueued = false;
      this.pump();
    });
  }

  /** Stop leasing new records (shutdown); in-flight publishes still complete. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.resumeTimer);
  }

  inflight(): number {
    return this.link?.inflight.size ?? 0;
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inflight() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const link = this.link;
        if (link === undefined || this.stopped) return;
        if (performance.now() < this.pausedUntil) {
          // Timers may fire a little before the deadline; re-arm instead of stalling until the
          // next commit happens to wake the drain.
          this.armResume(this.pausedUntil - performance.now());
          return;
        }
        const used = link.inflight.size;
        if (used >= link.window) return;
        const onlyFire = link.window > 1 && used >= link.window - 1;
        // Out of tokens: events still go, telemetry waits for the bucket to refill.
        const tokens = this.bucket?.available() ?? Infinity;
        const noTelemetry = tokens < 1;
        if (noTelemetry) this.armResume(this.bucket!.msUntilOne());
        const bytesFull = link.bytesInFlight >= (this.limits.maxInflightBytes ?? 256 * 1024);
        let batch: Batch | undefined;
        try {
          batch = this.source.nextBatch({
            maxReadings: Math.max(1, Math.min(this.limits.maxReadings, Math.floor(tokens))),
            maxBytes: this.limits.maxBytes,
            maxPriority: onlyFire ? PRIORITY_FIRE : noTelemetry || bytesFull ? PRIORITY_EVENT : PRIORITY_TELEMETRY,
          });
        } catch (err) {
          // A failed outbox ends the daemon (EXIT_IOERR via the outbox's onStorageError); the
          // uplink must not turn that into an uncaught exception inside an MQTT callback.
          this.logger.error({ err }, 'uplink: cannot read the outbox; draining stopped');
          this.stop();
          return;
        }
        if (batch === undefined) return;
        this.publish(link, batch);
        if (batch.kind === 'telemetry') {
          // Leasing and encoding a batch is milliseconds of CPU: continue on the next turn of the
          // event loop, so polls, rules and a fire alarm are not held up behind a backlog drain.
          this.yieldThenPump();
          return;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private publish(link: Link, batch: Batch): void {
    let message: OutboundMessage;
    try {
      message = batch.kind === 'event' ? this.codec.encodeEvent(batch.event) : this.codec.encodeTelemetry(batch.readings);
    } catch (err) {
      this.source.release(batch.ids);
      this.logger.error({ err, ids: batch.ids }, 'uplink: could not encode records; pausing the drain');
      this.pause();
      return;
    }
    const token = ++this.token;
    link.inflight.set(token, batch);
    if (batch.kind === 'telemetry') {
      const bytes = typeof message.payload === 'string' ? Buffer.byteLength(message.payload) : message.payload.length;
      link.telemetryBytes.set(token, bytes);
      link.bytesInFlight += bytes;
    }
    this.counters.published++;
    if (batch.kind === 'telemetry') this.bucket?.take(batch.ids.length);
    else if (batch.priority === PRIORITY_FIRE) this.hooks.fireAlarmSent?.(batch);
    link.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) =>
      this.onPublished(link, token, err),
    );
  }

  private onPublished(link: Link, token: number, err: Error | undefined): void {
    // A callback from a connection already detached: its records were released then.
    if (this.link !== link) return;
    const batch = link.inflight.get(token);
    if (batch === undefined) return;
    const ids = batch.ids;
    link.inflight.delete(token);
    link.bytesInFlight -= link.telemetryBytes.get(token) ?? 0;
    link.telemetryBytes.delete(token);
    if (err) {
      this.counters.rejected++;
      this.refused(ids, err);
    } else {
      this.refusedTimes.delete(ids[0]!);
      this.counters.acked++;
      this.counters.ackedRecords += ids.length;
      this.refusals.reset();
      this.source.ack(ids);
    }
    if (link.inflight.size === 0) this.notifyIdle();
    this.wake();
  }

  /**
   * The broker refused (or could not confirm) a publish on a live link. Retried after a back-off;
   * the same records refused `maxRefusals` times in a row are parked so that one record the
   * platform will never take (e.g. a topic its ACL forbids) cannot block everything behind it.
   */
  private refused(ids: number[], err: Error): void {
    const key = ids[0]!;
    const times = (this.refusedTimes.get(key) ?? 0) + 1;
    const reasonCode = (err as { code?: unknown }).code;
    const reason = typeof reasonCode === 'number' ? `reason code ${reasonCode}` : err.message;
    if (times >= (this.limits.maxRefusals ?? 5) && this.source.park !== undefined) {
      this.refusedTimes.delete(key);
      this.logger.error({ records: ids.length, reason }, 'uplink: platform keeps refusing records; parking them');
      try {
        this.source.park(ids, reason);
        return;
      } catch (parkErr) {
        this.logger.error({ err: parkErr }, 'uplink: cannot park records');
      }
    } else {
      this.refusedTimes.set(key, times);
    }
    this.source.release(ids);
    this.logger.warn({ err, records: ids.length, times }, 'uplink: publish not confirmed; records stay in the outbox');
    this.pause();
  }

  /** After a refused publish: retrying at once would spin on the same record. */
  private pause(): void {
    const delay = this.refusals.next();
    this.pausedUntil = performance.now() + delay;
    this.armResume(delay);
  }

  private armResume(delayMs: number): void {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => this.wake(), Math.max(1, Math.ceil(delayMs)));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
