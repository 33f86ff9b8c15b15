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
/** Parked records (refused by the platform for good) are stored at priority + PARKED_OFFSET. */
export const PARKED_OFFSET = 3;

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

export interface OutboxStats {
  /** Records not yet confirmed by the platform (committed and buffered), by priority. */
  depth: { fire: number; events: number; telemetry: number };
  total: number;
  /** Records set aside after a permanent refusal by the platform (kept, retried periodically and at the next connection). */
  parked: number;
  /** Leased to the uplink and not yet delivered. */
  inflight: number;
  /** Readings accepted but not yet group-committed. */
  buffered: number;
  /** Age of the oldest record the platform has not confirmed; null when empty. */
  oldestUnsentAgeMs: number | null;
  /** Database plus write-ahead log. */
  bytesOnDisk: number;
  /** Readings evicted (quota, free-space floor, full disk) or left in a corrupt file moved aside, since the outbox was opened. */
  droppedReadings: number;
  /** A storage fault (disk low or full, or the file cannot be written) is active. */
  storageFault: boolean;
  /** Records waiting in memory because the file could not be written (resilient-outbox.ts). */
  heldInMemory?: number;
}

/** The part of the outbox the uplink depends on (lets tests and other stores stand in). */
export interface UplinkSource {
  nextBatch(limits: BatchLimits): Batch | undefined;
  /** The broker confirmed these (PUBACK): they leave the outbox. */
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
}
