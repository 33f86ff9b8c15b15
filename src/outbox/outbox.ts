import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { eventPriority, type GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import { ClockEpochs, type OutboxClock } from './clock-epochs.js';
import { DepthCounts } from './depth.js';
import { OutboxStorageError, isStorageFailure, toStorageError } from './errors.js';
import { LeaseTracker } from './leases.js';
import { noopLogger, type Logger } from './logger.js';
import { OutboxNotices } from './notices.js';
import { openDatabase } from './open.js';
import { Parking } from './parking.js';
import { RecordQueue } from './queue.js';
import { RecordStamper, RecordTable } from './records.js';
import { markSuspect } from './recovery.js';
import type { SalvageReport } from './salvage.js';
import { PersistentSequence, freshSequenceFloor } from './sequence.js';
import { outboxStats } from './stats.js';
import { StoragePressure } from './storage-pressure.js';
import { PRIORITIES, type Batch, type BatchLimits, type OutboxStats, type Priority, type UplinkSource } from './types.js';

const MiB = 1024 * 1024;

export interface OutboxOptions {
  /** SQLite file; its folder is created if missing. */
  path: string;
  /** Buffered readings are committed at most this long after appendReading. Default 100. */
  flushIntervalMs?: number;
  /** ...or as soon as this many are buffered. Default 500. */
  maxBufferedReadings?: number;
  /** Database size (live pages) above which the oldest telemetry is evicted. Default 512. */
  quotaMb?: number;
  /** Free space left on the filesystem; below it telemetry is evicted and a fault raised. Default 64. */
  minFreeMb?: number;
  /** Ballast kept for events on a full disk (reserve.ts, full-disk.ts). Default 4; 0 disables. */
  reserveMb?: number;
  /** Re-measure disk use at most this often (ms), or after appending 1 % of the quota. Default 1000. */
  quotaCheckMs?: number;
  /** Sequence numbers reserved per durable write. Default 100000. */
  sequenceBlockSize?: number;
  /** Wall time for record ages (used when `clock` is not given). Default Date.now. */
  now?: () => number;
  /** The gateway clock: record ages, the clock-sync record, times of the outbox's own events. */
  clock?: OutboxClock;
  /** Gateway id for the events the outbox raises itself (dropped, storage). Default `gateway`. */
  gatewayId?: string;
  logger?: Logger;
  /**
   * Called when a commit that no caller waits on (the flush timer) failed. The daemon exits with
   * EXIT_IOERR here. Either way the outbox stays failed: every later call throws.
   */
  onStorageError?: (err: OutboxStorageError) => void;
  /**
   * Events the outbox raises about itself (storage low or full, dropped readings, a file moved
   * aside, parked records), after they are committed: the alarm desk and the console see them too.
   */
  onNotice?: (event: GatewayEvent) => void;
  /**
   * The result of an integrity check someone already ran on the file (in a worker, off the event
   * loop): `ok` skips the check a suspect file would otherwise get here, `corrupt` moves it aside.
   */
  integrity?: 'ok' | 'corrupt';
  /**
   * With `integrity: 'corrupt'`: the events that check salvaged from the file (in the worker, off the
   * event loop). Without it they are read here, synchronously, after the file is moved aside.
   */
  salvaged?: SalvageReport;
  /** Tests only: the boot id clock epochs are tied to. */
  bootId?: string;
}

/**
 * The durable queue between rules and uplink, composed of its parts: the queue itself (queue.ts:
 * append, lease, group commit), storage pressure (storage-pressure.ts, full-disk.ts), parking of
 * refused records (parking.ts) and the persistent sequence (sequence.ts). Events are committed
 * (fsynced) before appendEvent returns; readings are group-committed by a short timer. Records
 * leave only when the uplink reports them delivered after the broker's PUBACK, or (readings only)
 * when the quota evicts the oldest. A storage failure makes it permanently failed: every later
 * call throws OutboxStorageError (resilient-outbox.ts takes over from there).
 */
export class Outbox implements SequenceSource, UplinkSource {
  private readonly db: Db;
  private readonly seq: PersistentSequence;
  private readonly epochs: ClockEpochs;
  private readonly leases = new LeaseTracker();
  private readonly depth: DepthCounts;
  private readonly stamp: RecordStamper;
  private readonly notices: OutboxNotices;
  private readonly queue: RecordQueue;
  private readonly pressure: StoragePressure;
  private readonly parking: Parking;
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
    let opened;
    try {
      opened = openDatabase(options.path, logger, options.integrity, options.salvaged);
    } catch (err) {
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    const db = (this.db = opened.db);
    const depth = (this.depth = new DepthCounts(opened.depth));
    const guard = <T>(operation: string, fn: () => T): T => this.guard(operation, fn);
    const appendNotice = (event: GatewayEvent): void => this.appendNotice(event);
    try {
      this.seq = new PersistentSequence(db, options.sequenceBlockSize);
      if (opened.movedAside !== undefined) this.seq.raiseTo(freshSequenceFloor(opened.movedAside.salvagedSeq, clock.now()));
      this.epochs = new ClockEpochs(db, clock, options.bootId);
      const table = new RecordTable(db);
      this.stamp = new RecordStamper(() => clock.now(), this.epochs.epoch, (bytes) => this.pressure.appended(bytes));
      const notices = (this.notices = new OutboxNotices(options.gatewayId ?? 'gateway', clock, () => this.seq.next()));
      const queueOptions = { flushIntervalMs: options.flushIntervalMs ?? 100, maxBuffered: options.maxBufferedReadings ?? 500 };
      this.queue = new RecordQueue(db, table, depth, this.leases, this.epochs, logger, queueOptions, {
        guard,
        diskFull: (events, deletes) => this.pressure.diskFull(events, deletes),
        committed: () => this.pressure.check(false),
        flushDue: () => this.flushDue(),
      });
      const parts = { db, table, depth, queue: this.queue, stamp: this.stamp, notices, logger };
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
      this.parking = new Parking({ db, table, depth, leases: this.leases, notices, clock, logger }, { guard, appendNotice, returned: () => this.notifyAll() });
    } catch (err) {
      db.close();
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    logger.info({ path: options.path, depth: opened.depth, nextSeq: this.seq.current() + 1, epoch: this.epochs.epoch }, 'outbox open');
    if (opened.movedAside !== undefined) {
      const { to, reason, salvage } = opened.movedAside;
      // Readings of the old file are not salvaged: a counted loss, like an eviction.
      this.pressure.countDropped(salvage.readings);
      this.appendNotice(this.notices.movedAside(to, reason, salvage));
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
        this.pressure.diskFull([], this.leases.pendingDeletes());
        this.leases.forget(this.leases.pendingDeletes());
        return this.seq.next();
      }
    });
  }

  /** Commits the event (and anything buffered) with fsync before returning. */
  appendEvent(event: GatewayEvent): void {
    this.assertUsable();
    this.queue.appendEvent(this.stamp.event(event, eventPriority(event)));
  }

  /** Buffers the reading; it is durable after the next group commit (flush()). */
  appendReading(reading: Reading): void {
    this.assertUsable();
    this.queue.appendReading(this.stamp.reading(reading));
  }

  /** Commits buffered readings and delivered deletions in one transaction. */
  flush(): void {
    this.assertUsable();
    this.queue.flush();
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    this.assertUsable();
    return this.queue.nextBatch(limits);
  }

  /** The broker confirmed these (PUBACK): they are deleted with the next group commit (≤ flushIntervalMs). */
  delivered(ids: readonly number[]): void {
    // Never throws: it is called from MQTT callbacks. Confirmations after close or failure are
    // dropped; those records are sent again after the restart (a duplicate, not a loss).
    if (this.closed || this.failure !== undefined) return;
    this.queue.delivered(ids);
  }

  /** Not confirmed (disconnect, rejected publish): they will be leased again. */
  release(ids: readonly number[]): void {
    this.queue.release(ids);
  }

  /**
   * The platform refuses these records for good (e.g. a topic its ACL forbids): set them aside
   * (kept, never deleted) so they stop blocking the queue, and raise a fault (parking.ts).
   */
  park(ids: readonly number[], reason: string): void {
    if (this.closed || this.failure !== undefined || ids.length === 0) return;
    this.parking.park(ids, reason);
  }

  /** Returns parked records to the queue. Returns how many. */
  unparkAll(): number {
    if (this.closed || this.failure !== undefined) return 0;
    return this.parking.unparkAll();
  }

  /** Returns one parked record (the first after `afterId`, wrapping) as a probe; its id. */
  unparkOne(afterId = 0): number | undefined {
    if (this.closed || this.failure !== undefined) return undefined;
    return this.parking.unparkOne(afterId);
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.queue.onCommitted(listener);
  }

  stats(): OutboxStats {
    this.assertUsable();
    const oldestAt = this.queue.oldestAt();
    return outboxStats({
      path: this.options.path,
      depth: this.depth,
      buffered: this.queue.bufferedCount(),
      oldestAt,
      inflight: this.leases.inflight(),
      droppedReadings: this.pressure.droppedReadings(),
      storageFault: this.pressure.faultActive(),
      now: this.clock.now(),
    });
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
  takeBuffered(): Reading[] {
    return this.queue.takeBuffered().map((r) => JSON.parse(r.payload) as Reading);
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

  /** Commits one of the outbox's own events and tells onNotice. */
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

  private notifyAll(): void {
    for (const p of PRIORITIES) this.queue.notify(p);
  }

  /** The group-commit timer: no caller waits on this commit, so its failure is reported here. */
  private flushDue(): void {
    if (this.closed || this.failure !== undefined) return;
    try {
      this.flush();
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

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('outbox is closed');
  }
}
