import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';

/** A record whose unsynchronized time was corrected at send time keeps its original stamp here. */
export type SentReading = Reading & { tsUnsynced?: number };
export type SentEvent = GatewayEvent & { tsUnsynced?: number };

/** Lower number = sent first. Fire alarms, then every other event, then telemetry. */
export const PRIORITY_FIRE = 0;
export const PRIORITY_EVENT = 1;
export const PRIORITY_TELEMETRY = 2;
export type Priority = typeof PRIORITY_FIRE | typeof PRIORITY_EVENT | typeof PRIORITY_TELEMETRY;
export const PRIORITIES: readonly Priority[] = [PRIORITY_FIRE, PRIORITY_EVENT, PRIORITY_TELEMETRY];

/** What the uplink may take in one lease. */
export interface BatchLimits {
  /** Readings per telemetry batch (at least one is always taken). */
  maxReadings: number;
  /** Stored JSON bytes per telemetry batch (at least one reading is always taken). */
  maxBytes: number;
  /** Lease only records at this priority or more urgent (e.g. PRIORITY_FIRE for a reserved slot). */
  maxPriority?: Priority;
}

/** One unit the uplink publishes as one MQTT message; `ids` go back to delivered() or release(). */
export type Batch =
  | { kind: 'event'; priority: typeof PRIORITY_FIRE | typeof PRIORITY_EVENT; ids: number[]; event: SentEvent }
  | { kind: 'telemetry'; priority: typeof PRIORITY_TELEMETRY; ids: number[]; readings: SentReading[] };

/** One destination's view of the outbox: what it has not confirmed yet. */
export interface DestinationStats {
  /** Records this destination has not confirmed (committed and buffered), by priority; parked ones not included. */
  depth: { fire: number; events: number; telemetry: number };
  /** Records this destination refused for good, set aside for it (kept, retried). */
  parked: number;
  /** Leased to this destination's connection and not yet confirmed. */
  inflight: number;
  /** Age of the oldest record this destination has not confirmed (parked ones not included); null when none. */
  oldestUnsentAgeMs: number | null;
}

/**
 * The outbox as one destination sees it (depth, parked, inflight, oldest: that destination's), plus
 * figures of the whole file (total, bytes, drops, storage fault). Outbox.stats() is the platform's
 * view with every destination's in `destinations`.
 */
export interface OutboxStats {
  /** Records not yet confirmed by this destination (committed and buffered), by priority. */
  depth: { fire: number; events: number; telemetry: number };
  /** Records in the file and its buffer that any destination still waits for. */
  total: number;
  /** Records set aside after a permanent refusal by this destination (kept, retried periodically and at the next connection). */
  parked: number;
  /** Leased to this destination's connection and not yet delivered. */
  inflight: number;
  /** Readings held in memory, not yet written: the write-behind window or the group-commit buffer (all destinations). */
  buffered: number;
  /** Age of the oldest record this destination has not confirmed; null when none. */
  oldestUnsentAgeMs: number | null;
  /** Database plus write-ahead log. */
  bytesOnDisk: number;
  /** Readings evicted (quota, free-space floor, full disk) or left in a corrupt file moved aside, since the outbox was opened. */
  droppedReadings: number;
  /** A storage fault (disk low or full, or the file cannot be written) is active. */
  storageFault: boolean;
  /** Records waiting in memory because the file could not be written (resilient-outbox.ts). */
  heldInMemory?: number;
  /** Every destination's own view, by destination id (Outbox.stats() only). */
  destinations?: Record<string, DestinationStats>;
}

/**
 * One destination's part of the outbox, as its connection uses it (lets tests and other stores
 * stand in). Each destination leases, confirms and parks on its own: a record leaves the outbox
 * once every destination it was routed to confirmed it.
 */
export interface UplinkSource {
  nextBatch(limits: BatchLimits): Batch | undefined;
  /** The destination confirmed these (PUBACK, a centre's confirm): done for this destination. */
  delivered(ids: readonly number[]): void;
  /** Not confirmed (link dropped, publish refused): they will be leased again. */
  release(ids: readonly number[]): void;
  /** Optional: set aside records the platform refuses for good; unparkAll() returns them. */
  park?(ids: readonly number[], reason: string): void;
  unparkAll?(): number;
  /** Optional: returns one parked record (the first after `afterId`, wrapping) as a probe; its id. */
  unparkOne?(afterId?: number): number | undefined;
  stats(): OutboxStats;
  /** Called after new records are committed; returns an unsubscribe function. */
  onCommitted(listener: (priority: Priority) => void): () => void;
}

/** Where the pipeline's records are kept until each destination confirmed them (the sink's store). */
export interface DurableStore {
  appendReading(r: Reading): void;
  appendEvent(e: GatewayEvent): void;
  /** Events raised together, committed in one transaction (one fsync) before it returns. */
  appendEvents(list: readonly GatewayEvent[]): void;
}

/** The destination every outbox has: the MQTT platform (older files knew only this one). */
export const PLATFORM_DESTINATION = 'platform';
