import type { MqttClient } from 'mqtt';
import type { ComponentLogger as Logger } from '../log/component-logger.js';
import { PRIORITY_EVENT, PRIORITY_FIRE, PRIORITY_TELEMETRY, type Batch, type Priority, type UplinkSource } from '../outbox/types.js';
import { ReconnectBackoff } from '../retry/backoff.js';
import type { Codec, OutboundMessage } from './codec.js';
import type { DrainCounters, DrainLimits, DrainOptions, RefusalState } from './drain-types.js';
import { encodeGroup, waitingEvents } from './event-group.js';
import { FireRetries } from './fire-retries.js';
import { ParkedRetry } from './parked-retry.js';
import { classifyRefusal, encodeFailure, type Refusal } from './refusal.js';
import { TokenBucket } from './token-bucket.js';

export type { DrainCounters, DrainLimits, DrainOptions, RefusalState };

export const FAULT_REFUSED = 'uplink:refused';

/** One connection's view: replaced on reconnect, so late callbacks of a dead client are ignored. */
interface Link {
  client: MqttClient;
  window: number;
  /** What each publish in flight carries: one telemetry batch, or one or more events (packed by the codec). */
  inflight: Map<number, Batch[]>;
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
 *
 * Refusals (negative PUBACK) branch on the MQTT 5 reason code (./refusal.ts), never on a count:
 * a fire alarm is never parked, it is retried every few seconds for as long as it takes and raises
 * the `uplink:refused` fault meanwhile; another record refused for good is parked at once; one
 * refused for now is retried after a back-off, during which fire alarms still go.
 */
export class Drain {
  private link: Link | undefined;
  private token = 0;
  private pumping = false;
  private wakeQueued = false;
  private yieldQueued = false;
  /** After a transient refusal: records other than fire alarms wait until then. */
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private resumeAt = Infinity;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Backs off draining after a transient refusal (e.g. quota exceeded). */
  private readonly refusals: ReconnectBackoff;
  private readonly fireRetries: FireRetries;
  private readonly parked: ParkedRetry;
  private readonly bucket: TokenBucket | undefined;
  private readonly source: UplinkSource;
  private readonly codec: Codec;
  private readonly limits: DrainLimits;
  private readonly counters: DrainCounters;
  private readonly logger: Logger;
  private lastRefusal: RefusalState | null = null;

  constructor(private readonly options: DrainOptions) {
    ({ source: this.source, codec: this.codec, limits: this.limits, counters: this.counters, logger: this.logger } = options);
    const { minMs, maxMs, random } = options.refusalBackoff;
    this.refusals = new ReconnectBackoff(minMs, maxMs, random);
    this.fireRetries = new FireRetries(minMs, random);
    this.parked = new ParkedRetry(this.source, options.parkedRetryMs, this.logger);
    const { ratePerSec, burst, maxReadings } = this.limits;
    if (ratePerSec !== undefined && ratePerSec > 0) this.bucket = new TokenBucket(ratePerSec, burst ?? Math.max(ratePerSec, maxReadings));
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
    this.pausedUntil = 0;
    // Parked records get another chance on every new connection, and periodically while it lasts.
    this.parked.start();
    this.wake();
  }

  /** The link is gone: every record in flight or held for a retry goes back to the outbox. Returns how many. */
  detach(): number {
    const link = this.link;
    if (link === undefined) return 0;
    this.link = undefined;
    this.parked.stop();
    let released = 0;
    for (const batch of [...[...link.inflight.values()].flat(), ...this.fireRetries.releaseAll()]) {
      this.source.release(batch.ids);
      released += batch.ids.length;
    }
    link.inflight.clear();
    this.notifyIdle();
    return released;
  }

  /**
   * Schedules a pump. For an event, on the microtask queue: before any timer or I/O. For telemetry,
   * after this turn's I/O (setImmediate): answers of several devices that arrived together are
   * stored first and leave in one message, not one message each, at no cost in latency.
   */
  wake(priority?: Priority): void {
    if (priority === PRIORITY_TELEMETRY) return this.yieldThenPump();
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
    this.resumeTimer = undefined;
    this.resumeAt = Infinity;
    this.parked.stop();
  }

  inflight(): number {
    return this.link?.inflight.size ?? 0;
  }

  /** Fire alarms the broker refused and has not taken since. */
  fireAlarmsRefused(): number {
    return this.fireRetries.pending();
  }

  lastRefused(): RefusalState | null {
    return this.lastRefusal === null ? null : { ...this.lastRefusal };
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
        const used = link.inflight.size;
        if (used >= link.window) return;
        const now = performance.now();
        const pace = this.limits.pace;
        const room = pace?.free() ?? Infinity;
        if (room < 1) return this.armResume(pace!.msUntil(1));
        // A refused fire alarm whose retry time has come goes before anything new.
        const again = this.fireRetries.takeDue(now);
        if (again !== undefined) {
          this.publish(link, [again]);
          continue;
        }
        const held = this.fireRetries.nextDueIn(now);
        if (held !== undefined) this.armResume(held);
        // After a transient refusal everything else waits; fire alarms never do.
        const paused = now < this.pausedUntil;
        if (paused) this.armResume(this.pausedUntil - now);
        const onlyFire = paused || (link.window > 1 && used >= link.window - 1);
        // Out of tokens, or only the platform's reserve left: events still go, telemetry waits.
        const tokens = this.bucket?.available() ?? Infinity;
        const paced = pace !== undefined && room <= pace.reserve;
        const noTelemetry = tokens < 1 || paced;
        if (tokens < 1) this.armResume(this.bucket!.msUntilOne());
        if (paced) this.armResume(pace.msUntil(pace.reserve + 1));
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
        // Events already waiting beside this one go in the same message, where the codec packs them.
        const more = batch.kind === 'event' ? this.waiting(onlyFire ? PRIORITY_FIRE : PRIORITY_EVENT) : [];
        this.publish(link, [batch, ...more]);
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

  /** More events already committed, up to what the codec packs in one message (none when it packs one). */
  private waiting(maxPriority: Priority): Batch[] {
    try {
      const room = this.codec.encodeEvents === undefined ? 0 : (this.codec.maxEventsPerMessage ?? 1) - 1;
      return room > 0 ? waitingEvents(this.source, room, maxPriority, this.limits.maxBytes) : [];
    } catch (err) {
      // The first event is leased already: send it; the rest stay for the next pass (or the outbox's fault handling).
      this.logger.error({ err }, 'uplink: cannot read the outbox for more events');
      return [];
    }
  }

  private publish(link: Link, group: Batch[]): void {
    const batch = group[0]!;
    let message: OutboundMessage;
    try {
      message = batch.kind === 'telemetry' ? this.codec.encodeTelemetry(batch.readings) : encodeGroup(this.codec, group);
    } catch (err) {
      if (group.length > 1) {
        // One event that cannot be encoded must not take its neighbours with it: they go back to
        // the outbox (and out at once), the first is tried alone.
        for (const b of group.slice(1)) this.source.release(b.ids);
        return this.publish(link, [batch]);
      }
      this.logger.error({ err, ids: batch.ids }, 'uplink: could not encode records');
      this.refusedGroup(group, encodeFailure(err));
      return;
    }
    const token = ++this.token;
    link.inflight.set(token, group);
    if (batch.kind === 'telemetry') {
      const bytes = typeof message.payload === 'string' ? Buffer.byteLength(message.payload) : message.payload.length;
      link.telemetryBytes.set(token, bytes);
      link.bytesInFlight += bytes;
      this.bucket?.take(batch.ids.length);
    }
    this.counters.published++;
    this.limits.pace?.note();
    link.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) =>
      this.onPublished(link, token, err),
    );
  }

  private onPublished(link: Link, token: number, err: Error | undefined): void {
    // A callback from a connection already detached: its records were released then.
    if (this.link !== link) return;
    const group = link.inflight.get(token);
    if (group === undefined) return;
    link.inflight.delete(token);
    link.bytesInFlight -= link.telemetryBytes.get(token) ?? 0;
    link.telemetryBytes.delete(token);
    if (err) {
      this.counters.rejected++;
      const refusal = classifyRefusal(err);
      // One refusal of a packed message is each event's (a fire alarm among them is held for its own retries).
      this.refusedGroup(group, refusal);
    } else {
      this.counters.delivered++;
      for (const b of group) this.accepted(b);
    }
    if (link.inflight.size === 0) this.notifyIdle();
    this.wake();
  }

  private accepted(batch: Batch): void {
    this.counters.deliveredRecords += batch.ids.length;
    this.refusals.reset();
    this.source.delivered(batch.ids);
    this.parked.accepted(batch.ids);
    if (batch.kind !== 'event') return;
    if (batch.priority === PRIORITY_FIRE) {
      this.fireRetries.accepted(batch);
      if (this.fireRetries.pending() === 0 && this.options.faults.active(FAULT_REFUSED)) {
        this.logger.info({ id: batch.event.id }, 'uplink: the platform accepts fire alarms again');
        this.options.faults.clear(FAULT_REFUSED, 'the platform accepts fire alarms again');
      }
    }
    try {
      this.options.eventAccepted?.(batch);
    } catch (err) {
      this.logger.error({ err }, 'uplink: receipt listener failed');
    }
  }

  /** A refusal of one message is each of its records': a packed message backs off once, not once per event. */
  private refusedGroup(group: Batch[], refusal: Refusal): void {
    const released = group.map((b) => this.refused(b, refusal)).includes(true);
    if (this.lastRefusal !== null && group.some((b) => b.priority === PRIORITY_FIRE)) this.lastRefusal.fireAlarm = true;
    if (released) this.pause();
  }

  /**
   * The broker refused a publish on a live link (or the record could not be encoded). Fire alarms:
   * held and retried every few seconds, never parked. Others: parked at once when the refusal is
   * permanent (one record the platform will never take must not block the rest), else released
   * and retried after a back-off (true: the caller pauses the drain).
   */
  private refused(batch: Batch, refusal: Refusal): boolean {
    const ids = batch.ids;
    const fire = batch.kind === 'event' && batch.priority === PRIORITY_FIRE ? batch : undefined;
    this.lastRefusal = { code: refusal.code ?? null, reason: refusal.reason, permanent: refusal.permanent, fireAlarm: fire !== undefined, at: (this.options.now ?? Date.now)() };
    if (fire !== undefined) {
      const delay = this.fireRetries.hold(fire, performance.now());
      this.armResume(delay);
      this.logger.error({ id: fire.event.id, reason: refusal.reason, retryInMs: delay }, 'uplink: the platform refused a fire alarm; retrying');
      this.options.faults.raise(FAULT_REFUSED, `the platform refuses fire alarms (${refusal.reason}); retrying every few seconds`, { severity: 'critical' });
      return false;
    }
    if (refusal.permanent && this.source.park !== undefined) {
      this.logger.error({ records: ids.length, reason: refusal.reason }, 'uplink: the platform refuses records for good; parking them');
      try {
        this.source.park(ids, refusal.reason);
        this.parked.parkedAgain(ids);
        return false;
      } catch (err) {
        this.logger.error({ err }, 'uplink: cannot park records');
      }
    }
    this.source.release(ids);
    this.logger.warn({ records: ids.length, reason: refusal.reason }, 'uplink: publish not confirmed; records stay in the outbox');
    return true;
  }

  /** After a transient refusal: retrying at once would spin on the same record. */
  private pause(): void {
    const delay = this.refusals.next();
    this.pausedUntil = performance.now() + delay;
    this.armResume(delay);
  }

  /** Wakes the drain after `delayMs`, unless a wake-up is due sooner already. */
  private armResume(delayMs: number): void {
    const at = performance.now() + Math.max(1, Math.ceil(delayMs));
    if (this.resumeTimer !== undefined && this.resumeAt <= at) return;
    clearTimeout(this.resumeTimer);
    this.resumeAt = at;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.resumeAt = Infinity;
      this.wake();
    }, Math.max(1, Math.ceil(delayMs)));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
