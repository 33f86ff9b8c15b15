import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { eventPriority, type GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { BufferedReading, OutboxOptions } from './outbox-options.js';
import type { SequenceSource } from '../model/sequence.js';
import { ClockEpochs, type OutboxClock } from './clock-epochs.js';
import { CommitDurability } from './commit-durability.js';
import { OutboxStorageError, isStorageFailure, toStorageError } from './errors.js';
import type { Lane } from './lane.js';
import { LaneSource } from './lane-source.js';
import { Lanes } from './lanes.js';
import { noopLogger, type Logger } from './logger.js';
import { OutboxNotices } from './notices.js';
import { openDatabase } from './open.js';
import { RecordQueue } from './queue.js';
import { RecordStamper, RecordTable, type PendingRecord } from './records.js';
import { markSuspect } from './recovery.js';
import { PLATFORM_ONLY, Routes } from './routing.js';
import type { PersistentSequence } from './sequence.js';
import { startSequence, type Replacement } from './sequence-start.js';
import { destinationStats, outboxStats } from './stats.js';
import { StoragePressure } from './storage-pressure.js';
import { PLATFORM_DESTINATION, type Batch, type BatchLimits, type OutboxStats, type Priority, type UplinkSource } from './types.js';
import { WriteBehindWindow } from './write-behind.js';
import { WriteBehindRun, type PreviousRun } from './write-behind-run.js';

const MiB = 1024 * 1024;

export type { BufferedReading, OutboxOptions } from './outbox-options.js';

/**
 * The durable queue between rules and destinations, composed of its parts: the queue itself
 * (queue.ts: append, group commit), one lane per destination (lane.ts: lease, confirm, park),
 * routing (routing.ts), storage pressure (storage-pressure.ts, full-disk.ts) and the persistent
 * sequence (sequence.ts). Events are committed (fsynced) before appendEvent returns; readings are
 * group-committed by a short timer. A record leaves once every destination it was routed to
 * confirmed it (the broker's PUBACK, a centre's confirm), or (readings only) when the quota evicts
 * the oldest. A storage failure makes it permanently failed: every later call throws
 * OutboxStorageError (resilient-outbox.ts takes over from there).
 *
 * The Outbox itself is the platform's UplinkSource (older code and tools know only that one);
 * `source(id)` is any destination's.
 */
export class Outbox implements SequenceSource, UplinkSource {
  private readonly db: Db;
  private readonly seq: PersistentSequence;
  private readonly epochs: ClockEpochs;
  private readonly lanes: Lanes;
  private readonly sources = new Map<string, LaneSource>();
  private readonly main: LaneSource;
  private readonly routes: Routes;
  private readonly readingMask: number;
  private readonly stamp: RecordStamper;
  private readonly notices: OutboxNotices;
  private readonly queue: RecordQueue;
  private readonly pressure: StoragePressure;
  private readonly durability: CommitDurability;
  private readonly run: WriteBehindRun;
  private readonly clock: OutboxClock;
  private readonly logger: Logger;
  private failure: OutboxStorageError | undefined;
  private closed = false;

  static open(options: OutboxOptions): Outbox {
    return new Outbox(options);
  }

  private constructor(private readonly options: OutboxOptions) {
    const now = options.now ?? Date.now;
    const clock = (this.clock = options.clock ?? { now, mono: () => performance.now(), synced: () => true });
    const logger = (this.logger = options.logger ?? noopLogger);
    const routes = (this.routes = new Routes(options.destinations ?? PLATFORM_ONLY));
    let opened;
    let replaced: Replacement | undefined;
    let previous: PreviousRun | undefined;
    try {
      opened = openDatabase(options.path, logger, routes, options.integrity, options.salvaged);
    } catch (err) {
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    const db = (this.db = opened.db);
    const guard = <T>(operation: string, fn: () => T): T => this.guard(operation, fn);
    const appendNotice = (event: GatewayEvent): void => this.appendNotice(event);
    try {
      const { movedAside, before } = opened;
      const start = startSequence(db, { before, wallMs: clock.now(), blockSize: options.sequenceBlockSize, mark: options.sequenceMark, ...(movedAside ? { movedAside } : {}) });
      this.seq = start.seq;
      replaced = start.replaced;
      const epochs = (this.epochs = new ClockEpochs(db, clock, options.bootId));
      const table = new RecordTable(db);
      this.stamp = new RecordStamper(() => clock.now(), this.epochs.epoch, (bytes) => this.pressure.appended(bytes), db);
      const notices = (this.notices = new OutboxNotices(options.gatewayId ?? 'gateway', clock, () => this.seq.next()));
      const writeBehindMs = options.writeBehindMs ?? 0;
      const window = new WriteBehindWindow();
      // Destinations lease from memory only with write-behind; write-through keeps readings to the file.
      const laneParts = { db, notices, clock, logger, epochs, ...(writeBehindMs > 0 ? { window } : {}) };
      const lanes = (this.lanes = new Lanes(opened.bits, opened.counts, laneParts, { guard, appendNotice, confirmed: () => this.queue.confirmed(), flush: () => this.flush() }));
      this.readingMask = lanes.maskOf(routes.readingTargets());
      this.durability = new CommitDurability(db, options.onCommit);
      this.run = new WriteBehindRun(db);
      previous = this.run.begin(writeBehindMs);
      const queueOptions = { flushIntervalMs: options.flushIntervalMs ?? 100, maxBuffered: options.maxBufferedReadings ?? 500, writeBehindMs };
      const queueParts = { table, lanes, epochs, window, durability: this.durability, run: this.run };
      this.queue = new RecordQueue(db, queueParts, queueOptions, {
        guard,
        diskFull: (events, confirmed) => this.pressure.diskFull(events, confirmed),
        committed: () => this.pressure.check(false),
        flushDue: () => this.flushDue(),
      });
      const noticeRecord = (e: GatewayEvent): PendingRecord => this.stamp.event(e, eventPriority(e), this.eventMask(e));
      const parts = { db, table, lanes, queue: this.queue, noticeRecord, notices, logger };
      this.pressure = new StoragePressure(
        parts,
        {
          path: options.path,
          quotaBytes: (options.quotaMb ?? 512) * MiB,
          minFreeBytes: (options.minFreeMb ?? 64) * MiB,
          reserveBytes: (options.reserveMb ?? 4) * MiB,
          checkEveryMs: options.quotaCheckMs ?? 1000,
        },
        { guard, appendNotice, announce: (event) => this.announce(event) },
      );
      const host = { usable: () => this.usable(), assertUsable: () => this.assertUsable(), stats: (lane: Lane) => this.laneStats(lane) };
      for (const lane of lanes.all()) this.sources.set(lane.id, new LaneSource(lane, host));
      this.main = this.sources.get(PLATFORM_DESTINATION) ?? [...this.sources.values()][0]!;
    } catch (err) {
      db.close();
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    const destinations = Object.fromEntries(opened.bits);
    logger.info({ path: options.path, rows: this.lanes.rows.total(), destinations, nextSeq: this.seq.current() + 1, epoch: this.epochs.epoch }, 'outbox open');
    for (const r of opened.retired) logger.warn({ destination: r.id, released: r.released, deleted: r.deleted }, 'outbox: destination no longer configured; its records released');
    if (opened.movedAside !== undefined) {
      const { to, reason, salvage } = opened.movedAside;
      // Readings of the old file are not salvaged: a counted loss, like an eviction.
      this.pressure.countDropped(salvage.readings);
      this.appendNotice(this.notices.movedAside(to, reason, salvage));
    }
    if (replaced !== undefined) {
      logger.error({ path: options.path, ...replaced }, 'OUTBOX REPLACED: the file lost its sequence state; records it held may be lost');
      this.appendNotice(this.notices.replaced(options.path, replaced));
    }
    if (previous?.unclean === true && previous.windowMs > 0) {
      logger.warn({ path: options.path, ...previous }, 'outbox: the last run did not close the file; readings it held in memory only are lost');
      this.appendNotice(this.notices.unstoredAtStop(previous.peak, previous.windowMs));
    }
    this.pressure.check(true);
  }

  /** SequenceSource: strictly increasing across restarts. */
  next(): number {
    this.assertUsable();
    return this.guard('sequence', () => {
      try {
        return this.seq.next();
      } catch (err) {
        // The sequence block write found the disk full (rolled back cleanly): make room as for a
        // full commit, then try once more; a second failure is fatal.
        if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
        const confirmed = this.lanes.confirmations();
        this.pressure.diskFull([], confirmed);
        this.lanes.forget(confirmed);
        return this.seq.next();
      }
    });
  }

  /**
   * Commits the event (and anything buffered) with fsync before returning, for the destinations
   * routing gives it, or for `destinations` (records moved from memory after a storage fault). An
   * event no destination is meant for is not stored.
   */
  appendEvent(event: GatewayEvent, destinations?: readonly string[]): void {
    this.assertUsable();
    const mask = destinations === undefined ? this.eventMask(event) : this.lanes.maskOf(destinations);
    if (mask !== 0) this.queue.appendEvents([this.stamp.event(event, eventPriority(event), mask)]);
  }

  /** Events raised together (one poll's): as appendEvent, all in one commit (one fsync). */
  appendEvents(events: readonly GatewayEvent[]): void {
    this.assertUsable();
    const records = events.map((e) => ({ e, mask: this.eventMask(e) })).filter((r) => r.mask !== 0);
    if (records.length > 0) this.queue.appendEvents(records.map((r) => this.stamp.event(r.e, eventPriority(r.e), r.mask)));
  }

  /** Buffers the reading; it is durable after the next group commit (flush()). As appendEvent for `destinations`. */
  appendReading(reading: Reading, destinations?: readonly string[]): void {
    this.assertUsable();
    const mask = destinations === undefined ? this.readingMask : this.lanes.maskOf(destinations);
    if (mask !== 0) this.queue.appendReading(this.stamp.reading(reading, mask));
  }

  /** Every configured destination's id. */
  destinationIds(): string[] {
    return [...this.sources.keys()];
  }

  /** One destination's part of the outbox; undefined for an id not configured. */
  source(destination: string): UplinkSource | undefined {
    return this.sources.get(destination);
  }

  /** Commits every reading held in memory and the confirmations in one transaction. */
  flush(): void {
    this.assertUsable();
    this.queue.flush();
  }

  // The platform's part (lane-source.ts has the words on each).
  nextBatch(limits: BatchLimits): Batch | undefined {
    return this.main.nextBatch(limits);
  }

  delivered(ids: readonly number[]): void {
    this.main.delivered(ids);
  }

  release(ids: readonly number[]): void {
    this.main.release(ids);
  }

  park(ids: readonly number[], reason: string): void {
    this.main.park(ids, reason);
  }

  unparkAll(): number {
    return this.main.unparkAll();
  }

  unparkOne(afterId = 0): number | undefined {
    return this.main.unparkOne(afterId);
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.main.onCommitted(listener);
  }

  /** The platform's view, with every destination's in `destinations`. */
  stats(): OutboxStats {
    const stats = this.main.stats();
    const now = this.clock.now();
    stats.destinations = Object.fromEntries([...this.lanes.all()].map((lane) => [lane.id, destinationStats(lane, this.queue, now)]));
    return stats;
  }

  /** Commits made since open, by kind: with events (synchronous=FULL), readings and confirmations only (NORMAL). */
  commitCounts(): { events: number; readings: number } {
    return this.durability.commitCounts();
  }

  /** The last sequence number handed out. */
  sequenceMark(): number {
    return this.seq.current();
  }

  /** Continues the sequence above `mark` (numbers handed out while this file could not be written). */
  raiseSequenceTo(mark: number): void {
    this.seq.raiseTo(mark);
  }

  /**
   * Readings accepted but not yet committed, handed back and forgotten here: after a failed commit
   * they would otherwise be lost with this handle (the caller keeps them elsewhere).
   */
  takeBuffered(): BufferedReading[] {
    return this.queue.takeBuffered().map((r) => ({
      reading: JSON.parse(r.payload) as Reading,
      destinations: [...this.lanes.all()].filter((lane) => (r.pending & lane.mask) !== 0).map((lane) => lane.id),
    }));
  }

  /**
   * A durable write that proves the file takes commits again (after a storage fault): opening a
   * file writes nothing, so a card that still fails every fsync would look fine until the next
   * alarm. Throws OutboxStorageError like any commit.
   */
  probeWrite(): void {
    this.assertUsable();
    this.guard('probe', () => this.db.prepare("INSERT INTO meta (key, value) VALUES ('write_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(Math.floor(this.clock.now())));
  }

  /** Whether a storage failure made this handle unusable (every call then throws). */
  failed(): boolean {
    return this.failure !== undefined;
  }

  /** Flush, checkpoint the log into the database file, close. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.queue.stopTimer();
    try {
      if (this.failure === undefined) {
        this.flush();
        // Nothing is held in memory only any more: the next open finds a clean stop.
        this.guard('close', () => this.run.end());
        this.guard('checkpoint', () => this.db.pragma('wal_checkpoint(TRUNCATE)'));
      }
    } finally {
      this.closed = true;
      try {
        this.db.close();
      } catch (err) {
        // A handle whose file failed may not close cleanly; it is dropped either way.
        this.logger.warn({ err }, 'outbox: closing a failed handle');
      }
      this.logger.info({ path: this.options.path }, 'outbox closed');
    }
  }

  /**
   * Commits one of the outbox's own events and tells onNotice. A parking notice goes to the
   * destination that refused too: it may well take it (a refusal is often of one record), and if
   * not, notices are coalesced (parking.ts), so refusing it cannot make another.
   */
  private appendNotice(event: GatewayEvent): void {
    this.appendEvent(event);
    this.announce(event);
  }

  private announce(event: GatewayEvent): void {
    try {
      this.options.onNotice?.(event);
    } catch (err) {
      this.logger.error({ err }, 'outbox: notice listener failed');
    }
  }

  private eventMask(event: GatewayEvent): number {
    return this.lanes.maskOf(this.routes.eventTargets(event));
  }

  private laneStats(lane: Lane): OutboxStats {
    return outboxStats(destinationStats(lane, this.queue, this.clock.now()), {
      path: this.options.path,
      rows: this.lanes.rows.total(),
      buffered: this.queue.bufferedCount(),
      droppedReadings: this.pressure.droppedReadings(),
      storageFault: this.pressure.faultActive(),
    });
  }

  /** The commit timer: no caller waits on this commit, so its failure is reported here. */
  private flushDue(): void {
    if (this.closed || this.failure !== undefined) return;
    try {
      this.queue.due();
    } catch (err) {
      if (!(err instanceof OutboxStorageError)) throw err;
      this.logger.error({ err, code: err.storageCode }, 'outbox group commit failed');
      this.options.onStorageError?.(err);
    }
  }

  /** Runs a storage operation; a storage failure makes the outbox permanently failed. */
  private guard<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!isStorageFailure(err)) throw err;
      this.failure = toStorageError(operation, err);
      if (err instanceof Database.SqliteError && /^SQLITE_CORRUPT/.test(err.code)) markSuspect(this.options.path);
      throw this.failure;
    }
  }

  private usable(): boolean {
    return !this.closed && this.failure === undefined;
  }

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('outbox is closed');
  }
}
