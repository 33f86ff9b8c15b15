import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { eventPriority, type GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import { ClockEpochs, type OutboxClock } from './clock-epochs.js';
import { OutboxStorageError, isStorageFailure, toStorageError } from './errors.js';
import { TelemetryEvictor, type Eviction } from './evict.js';
import { LeaseTracker } from './leases.js';
import { noopLogger, type Logger } from './logger.js';
import { OutboxNotices } from './notices.js';
import { openDatabase } from './open.js';
import { QuotaWatch, freeBytesAt, type QuotaVerdict } from './quota.js';
import { markSuspect } from './recovery.js';
import type { SalvageReport } from './salvage.js';
import { Ballast } from './reserve.js';
import { PersistentSequence } from './sequence.js';
import {
  PARKED_OFFSET,
  PRIORITIES,
  PRIORITY_TELEMETRY,
  type Batch,
  type BatchLimits,
  type OutboxStats,
  type Priority,
  type UplinkSource,
} from './types.js';
import { consecutiveRuns } from './id-runs.js';

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
  /** Ballast kept for events on a full disk (reserve.ts). Default 4; 0 disables. */
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

interface Row {
  id: number;
  priority: Priority;
  bytes: number;
  payload: string;
  epoch: number;
}

/** A row as the raw leasing query returns it, columns in Row's order. */
type RawRow = [id: number, priority: Priority, bytes: number, payload: string, epoch: number];

type Pending = [
  kind: 'event' | 'reading',
  priority: number,
  deviceId: string,
  seq: number,
  createdAt: number,
  bytes: number,
  payload: string,
  epoch: number,
];

const PAGE = 256;
/**
 * A storage fault clears only with this much room above the floor and the reserve: enough for the
 * write-ahead log to grow to its checkpoint size (about 4 MiB) and more, so the fault does not flap
 * on a disk that is still nearly full.
 */
const ROOM_TO_RESTORE = 8 * MiB;
const FULL_DISK_AUTOCHECKPOINT = 250;
/** At most one "records parked" fault event per hour; it counts every record parked since the last one. */
export const PARK_NOTICE_EVERY_MS = 3_600_000;

/**
 * The durable queue between rules and uplink. Events are committed (fsynced) before appendEvent
 * returns; readings are group-committed by a short timer. Records leave only when the uplink
 * acks them after the broker's PUBACK, or (readings only) when the quota evicts the oldest.
 * Also the gateway's persistent sequence source.
 */
export class Outbox implements SequenceSource, UplinkSource {
  private readonly db: Db;
  private readonly seq: PersistentSequence;
  private readonly leases = new LeaseTracker();
  private readonly listeners = new Set<(priority: Priority) => void>();
  private readonly depth: number[];
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: OutboxStorageError | undefined;
  private closed = false;
  private inQuota = false;
  private storageFaultId: string | undefined;
  private droppedTotal = 0;
  /** Monotonic time of the last parking notice, and records parked since (coalesced notices). */
  private parkNoticeAt = -Infinity;
  private parkedSinceNotice = 0;
  private readonly quota: QuotaWatch;
  private readonly evictor: TelemetryEvictor;
  private readonly epochs: ClockEpochs;
  private readonly notices: OutboxNotices;
  private readonly ballast: Ballast;
  private readonly clock: OutboxClock;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly minFreeBytes: number;
  private readonly reserveBytes: number;
  /** The log's auto-checkpoint size in pages, restored when a full disk has room again. */
  private readonly autoCheckpoint: number;
  private readonly logger: Logger;
  private readonly insert: Statement<Pending>;
  private readonly remove: Statement<[number]>;
  private readonly removeRange: Statement<[number, number]>;
  private readonly pageAfter: Statement<[number, number, number]>;
  private readonly oldestOf: Statement<[number]>;
  private readonly commit: (events: Pending[], deletes: number[], withBuffer: boolean) => void;

  static open(options: OutboxOptions): Outbox {
    return new Outbox(options);
  }

  private constructor(private readonly options: OutboxOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxBuffered = options.maxBufferedReadings ?? 500;
    const now = options.now ?? Date.now;
    this.clock = options.clock ?? { now, mono: () => performance.now(), synced: () => true };
    this.logger = options.logger ?? noopLogger;
    this.minFreeBytes = (options.minFreeMb ?? 64) * MiB;
    this.reserveBytes = (options.reserveMb ?? 4) * MiB;
    let opened;
    try {
      opened = openDatabase(options.path, this.logger, options.integrity, options.salvaged);
    } catch (err) {
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    this.db = opened.db;
    this.depth = opened.depth;
    this.autoCheckpoint = Number(this.db.pragma('wal_autocheckpoint', { simple: true }));
    if (this.reserveBytes > 0) this.reserveBytes = Math.max(this.reserveBytes, checkpointRoom(this.db));
    try {
      this.seq = new PersistentSequence(this.db, options.sequenceBlockSize);
      if (opened.movedAside !== undefined) this.seq.raiseTo(freshSequenceFloor(opened.movedAside.salvagedSeq, this.clock.now()));
      this.epochs = new ClockEpochs(this.db, this.clock, options.bootId);
      this.insert = this.db.prepare(
        'INSERT INTO records (kind, priority, device_id, seq, created_at, bytes, payload, epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.remove = this.db.prepare('DELETE FROM records WHERE id = ? RETURNING priority');
      this.removeRange = this.db.prepare('DELETE FROM records WHERE id BETWEEN ? AND ?');
      this.pageAfter = this.db
        .prepare('SELECT id, priority, bytes, payload, epoch FROM records WHERE priority = ? AND id > ? ORDER BY id LIMIT ?')
        .raw(true);
      this.oldestOf = this.db.prepare('SELECT created_at AS createdAt FROM records WHERE priority = ? ORDER BY id LIMIT 1');
      this.evictor = new TelemetryEvictor(this.db);
    } catch (err) {
      this.db.close();
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    // Buffered readings, an urgent event and acked deletions share one transaction: one fsync.
    this.commit = this.db.transaction((events: Pending[], deletes: number[], withBuffer: boolean) => {
      if (withBuffer) for (const p of this.buffer) this.insert.run(...p);
      for (const p of events) this.insert.run(...p);
      // Acked telemetry comes back in long runs of consecutive ids: one range delete per run
      // instead of a delete per record (the drain's main cost otherwise).
      for (const run of consecutiveRuns(deletes, (id) => this.leases.priorityOf(id))) {
        if (run.priority !== undefined) {
          const n = this.removeRange.run(run.from, run.to).changes;
          this.depth[run.priority] = (this.depth[run.priority] ?? n) - n;
          continue;
        }
        for (let id = run.from; id <= run.to; id++) {
          const gone = this.remove.get(id) as { priority: number } | undefined;
          if (gone !== undefined) this.depth[gone.priority] = (this.depth[gone.priority] ?? 1) - 1;
        }
      }
    });
    const quotaBytes = (options.quotaMb ?? 512) * MiB;
    this.quota = new QuotaWatch(
      { quotaBytes, minFreeBytes: this.minFreeBytes, checkEveryMs: options.quotaCheckMs ?? 1000, checkEveryBytes: quotaBytes / 100 },
      () => ({ usedBytes: this.liveBytes(), freeBytes: freeBytesAt(dirname(options.path)) }),
    );
    this.notices = new OutboxNotices(options.gatewayId ?? 'gateway', this.clock, () => this.seq.next());
    this.ballast = new Ballast(`${options.path}.reserve`, this.reserveBytes);
    if (!this.ballast.ensure()) this.logger.warn({ path: this.ballast.path }, 'outbox: no room for the reserve file');
    this.logger.info({ path: options.path, depth: this.depth, nextSeq: this.seq.current() + 1, epoch: this.epochs.epoch }, 'outbox open');
    if (opened.movedAside !== undefined) {
      const { to, reason, salvage } = opened.movedAside;
      // Readings of the old file are not salvaged: a counted loss, like an eviction.
      this.droppedTotal += salvage.readings;
      this.appendNotice(this.notices.movedAside(to, reason, salvage));
    }
    this.checkQuota(true);
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
        this.onDiskFull([], this.leases.pendingDeletes());
        this.leases.forget(this.leases.pendingDeletes());
        return this.seq.next();
      }
    });
  }

  /** Commits the event (and anything buffered) with fsync before returning. */
  appendEvent(event: GatewayEvent): void {
    this.assertUsable();
    // Without the acked deletions: during a backlog drain they are thousands of rows, and an alarm
    // must not wait for them. They go with the next group commit.
    this.commitNow('appendEvent', [this.pending('event', eventPriority(event), event)], false);
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

  /** Buffers the reading; it is durable after the next group commit (flush()). */
  appendReading(reading: Reading): void {
    this.assertUsable();
    this.buffer.push(this.pending('reading', PRIORITY_TELEMETRY, reading));
    if (this.buffer.length >= this.maxBuffered) this.flush();
    else this.schedule();
  }

  /** Commits buffered readings and acked deletions in one transaction. */
  flush(): void {
    this.assertUsable();
    if (this.buffer.length === 0 && this.leases.pendingDeletes().length === 0) return;
    this.commitNow('flush', []);
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    this.assertUsable();
    const last = limits.maxPriority ?? PRIORITY_TELEMETRY;
    for (const priority of PRIORITIES) {
      if (priority > last) break;
      if ((this.depth[priority] ?? 0) === 0) continue;
      const rows = this.guard('nextBatch', () =>
        this.leaseRows(priority, priority === PRIORITY_TELEMETRY ? limits.maxReadings : 1, limits.maxBytes),
      );
      if (rows.length === 0) continue;
      const ids = rows.map((r) => r.id);
      // Unsynchronized times are corrected here, at send time; the stored record keeps its stamp.
      if (priority === PRIORITY_TELEMETRY) {
        return { kind: 'telemetry', priority, ids, readings: rows.map((r) => this.epochs.correct(JSON.parse(r.payload) as Reading, r.epoch)) };
      }
      const row = rows[0]!;
      return { kind: 'event', priority, ids, event: this.epochs.correct(JSON.parse(row.payload) as GatewayEvent, row.epoch) };
    }
    return undefined;
  }

  /** The broker confirmed these: they are deleted with the next group commit (≤ flushIntervalMs). */
  ack(ids: readonly number[]): void {
    // Never throws: it is called from MQTT callbacks. Acks after close or failure are dropped;
    // those records are sent again after the restart (a duplicate, not a loss).
    if (this.closed || this.failure !== undefined) return;
    if (this.leases.ack(ids).length > 0) this.schedule();
  }

  /** Not confirmed (disconnect, rejected publish): they will be leased again. */
  release(ids: readonly number[]): void {
    this.leases.release(ids);
  }

  /**
   * The platform refuses these records for good (e.g. a topic its ACL forbids): set them aside
   * (kept, never deleted) so they stop blocking the queue, and raise a fault. unparkOne() and
   * unparkAll() put them back. The fault event is coalesced to one per PARK_NOTICE_EVERY_MS: when
   * the platform refuses that fault event too, parking it must not make another, and another.
   */
  park(ids: readonly number[], reason: string): void {
    if (this.closed || this.failure !== undefined || ids.length === 0) return;
    const stmt = this.db.prepare(`UPDATE records SET priority = priority + ${PARKED_OFFSET} WHERE id = ? AND priority < ${PARKED_OFFSET}`);
    this.guard('park', () => this.db.transaction(() => ids.forEach((id) => stmt.run(id)))());
    this.leases.forget(ids);
    this.recount();
    this.logger.warn({ records: ids.length, reason }, 'outbox: records parked after a refusal');
    this.parkedSinceNotice += ids.length;
    const now = this.clock.mono();
    if (now - this.parkNoticeAt < PARK_NOTICE_EVERY_MS) return;
    this.parkNoticeAt = now;
    const count = this.parkedSinceNotice;
    this.parkedSinceNotice = 0;
    this.appendNotice(this.notices.parked(count, reason));
  }

  /** Returns parked records to the queue. Returns how many. */
  unparkAll(): number {
    if (this.closed || this.failure !== undefined) return 0;
    if (PRIORITIES.every((p) => (this.depth[p + PARKED_OFFSET] ?? 0) === 0)) return 0;
    const n = this.guard('unpark', () =>
      this.db.prepare(`UPDATE records SET priority = priority - ${PARKED_OFFSET} WHERE priority >= ${PARKED_OFFSET}`).run().changes,
    );
    this.leases.rewind();
    this.recount();
    for (const p of PRIORITIES) this.notify(p);
    return n;
  }

  /**
   * Returns one parked record to the queue, as a probe whether the platform takes parked records
   * again: the first one after `afterId` (by id, wrapping to the oldest). Returns its id, or
   * undefined when nothing is parked.
   */
  unparkOne(afterId = 0): number | undefined {
    if (this.closed || this.failure !== undefined) return undefined;
    if (PRIORITIES.every((p) => (this.depth[p + PARKED_OFFSET] ?? 0) === 0)) return undefined;
    const first = this.db.prepare('SELECT id FROM records WHERE priority = ? AND id > ? ORDER BY id LIMIT 1').pluck();
    const pick = (after: number): number | undefined => {
      let best: number | undefined;
      for (const p of PRIORITIES) {
        const id = first.get(p + PARKED_OFFSET, after) as number | undefined;
        if (id !== undefined && (best === undefined || id < best)) best = id;
      }
      return best;
    };
    const id = this.guard('unpark', () => {
      const found = pick(afterId) ?? pick(0);
      if (found !== undefined) this.db.prepare(`UPDATE records SET priority = priority - ${PARKED_OFFSET} WHERE id = ? AND priority >= ${PARKED_OFFSET}`).run(found);
      return found;
    });
    if (id === undefined) return undefined;
    this.leases.rewind();
    this.recount();
    for (const p of PRIORITIES) this.notify(p);
    return id;
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): OutboxStats {
    this.assertUsable();
    const [fire = 0, events = 0, telemetry = 0, ...parked] = this.depth;
    let oldest: number | undefined = this.buffer[0]?.[4];
    this.guard('stats', () => {
      for (const p of PRIORITIES) {
        const row = this.oldestOf.get(p) as { createdAt: number } | undefined;
        if (row !== undefined && (oldest === undefined || row.createdAt < oldest)) oldest = row.createdAt;
      }
    });
    const parkedCount = parked.reduce((a, b) => a + b, 0);
    return {
      depth: { fire, events, telemetry: telemetry + this.buffer.length },
      total: fire + events + telemetry + this.buffer.length + parkedCount,
      parked: parkedCount,
      inflight: this.leases.inflight(),
      buffered: this.buffer.length,
      oldestUnsentAgeMs: oldest === undefined ? null : Math.max(0, this.clock.now() - oldest),
      bytesOnDisk: this.bytesOnDisk(),
      droppedReadings: this.droppedTotal,
      storageFault: this.storageFaultId !== undefined,
    };
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
    const readings = this.buffer.map((p) => JSON.parse(p[6]) as Reading);
    this.buffer = [];
    return readings;
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
    clearTimeout(this.timer);
    this.timer = undefined;
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

  private pending(kind: 'event' | 'reading', priority: number, record: Reading | GatewayEvent): Pending {
    const payload = JSON.stringify(record);
    const bytes = Buffer.byteLength(payload);
    this.quota.appended(bytes);
    return [kind, priority, record.deviceId, record.seq, this.clock.now(), bytes, payload, this.epochs.epoch];
  }

  private leaseRows(priority: Priority, maxCount: number, maxBytes: number): Row[] {
    const taken: Row[] = [];
    let bytes = 0;
    for (;;) {
      // Raw rows (arrays): no per-row object with named keys for a million-row drain.
      const page = this.pageAfter.all(priority, this.leases.cursor(priority), PAGE) as RawRow[];
      for (const [id, rowPriority, rowBytes, payload, epoch] of page) {
        const row: Row = { id, priority: rowPriority, bytes: rowBytes, payload, epoch };
        if (this.leases.isHeld(row.id)) {
          this.leases.skip(priority, row.id);
          continue;
        }
        if (taken.length > 0 && (taken.length >= maxCount || bytes + row.bytes > maxBytes)) return taken;
        this.leases.lease(row.id, priority);
        taken.push(row);
        bytes += row.bytes;
      }
      if (page.length < PAGE || taken.length >= maxCount) return taken;
    }
  }

  private commitNow(operation: string, events: Pending[], withDeletes = true): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const deletes = withDeletes ? this.leases.pendingDeletes() : [];
    const flushed = this.buffer.length;
    this.guard(operation, () => {
      this.epochs.noteSync();
      try {
        this.commit(events, deletes, true);
      } catch (err) {
        // A full disk is not a failed fsync: SQLite rolled the transaction back cleanly, so it can
        // be retried once the reserved room is released and the oldest telemetry evicted.
        if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
        this.onDiskFull(events, deletes);
        return;
      }
      this.buffer = [];
      if (flushed > 0) this.depth[PRIORITY_TELEMETRY] = (this.depth[PRIORITY_TELEMETRY] ?? 0) + flushed;
    });
    this.leases.forget(deletes);
    if (!withDeletes && this.leases.pendingDeletes().length > 0) this.schedule();
    for (const e of events) this.depth[e[1]] = (this.depth[e[1]] ?? 0) + 1;
    this.checkQuota(false);
    for (const e of events) this.notify(e[1] as Priority);
    if (flushed > 0) this.notify(PRIORITY_TELEMETRY);
  }

  /**
   * SQLITE_FULL: release the ballast, drop the buffered readings, checkpoint the write-ahead log
   * into the database (the ballast covers the file's growth; the log is then reused), commit the events with the storage fault, and
   * evict the oldest half of the stored telemetry (reported as `dropped`). From then on the quota is
   * capped below the database file's size, so new records reuse freed pages and neither the file
   * nor the log has to grow on a disk that stays full. Throws (the caller makes that fatal) if even
   * the events do not fit.
   */
  private onDiskFull(events: Pending[], deletes: number[]): void {
    const released = this.ballast.release();
    this.logger.error({ released, buffered: this.buffer.length }, 'outbox: disk full; releasing reserved room for events');
    const lost = this.buffer.map((p) => (JSON.parse(p[6]) as Reading).ts);
    this.buffer = [];
    this.droppedTotal += lost.length;
    this.checkpointQuietly();
    const extra: Pending[] = [];
    const raised: GatewayEvent[] = [];
    if (lost.length > 0) raised.push(this.notices.dropped(lost.length, Math.min(...lost), Math.max(...lost), 'disk full'));
    let faultId = this.storageFaultId;
    if (faultId === undefined) {
      const fault = this.notices.storageFull();
      faultId = fault.id;
      raised.push(fault);
    }
    for (const e of raised) extra.push(this.pending('event', 1, e));
    // Events first, in the room the ballast and the checkpointed log left; if even that fails, evict
    // old telemetry first and try once more: a failure then is fatal.
    let committed = this.tryCommitFull([...extra, ...events], deletes);
    const evicted = this.evictInChunks(Math.max(1000, Math.ceil((this.depth[PRIORITY_TELEMETRY] ?? 0) / 2)));
    if (!committed) {
      this.commit([...extra, ...events], deletes, false);
      committed = true;
    }
    this.storageFaultId = faultId;
    for (const e of extra) this.depth[e[1]] = (this.depth[e[1]] ?? 0) + 1;
    for (const e of raised) this.announce(e);
    if (evicted !== undefined) {
      this.droppedTotal += evicted.count;
      const note = this.pending('event', 1, this.notices.dropped(evicted.count, evicted.fromTs, evicted.toTs, 'disk full'));
      if (this.tryCommitFull([note], [])) this.depth[1] = (this.depth[1] ?? 0) + 1;
    }
    this.checkpointQuietly();
    this.quota.capAt(this.fileBytes() * 0.95);
    // Checkpoint at a quarter of the log's size: the rest is headroom for a commit that would
    // otherwise need the log file to grow.
    this.db.pragma(`wal_autocheckpoint = ${FULL_DISK_AUTOCHECKPOINT}`);
  }

  private tryCommitFull(events: Pending[], deletes: number[]): boolean {
    try {
      this.commit(events, deletes, false);
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
      return false;
    }
  }

  /**
   * Evicts in small transactions with a checkpoint in between, so the log is reused instead of
   * growing: a big DELETE would need log space a full disk does not have. Freed pages take the
   * next records without growing the file.
   */
  private evictInChunks(target: number): Eviction | undefined {
    let total: Eviction | undefined;
    try {
      while ((total?.count ?? 0) < target) {
        const ev = this.db.transaction(() => this.evictor.evictOldest(1000))();
        if (ev === undefined) break;
        this.depth[PRIORITY_TELEMETRY] = (this.depth[PRIORITY_TELEMETRY] ?? 0) - ev.count;
        total = total === undefined ? ev : { count: total.count + ev.count, fromTs: total.fromTs, toTs: ev.toTs };
        this.checkpointQuietly();
      }
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
    }
    return total;
  }

  /**
   * Copies the whole log into the database and makes the next commit write the log from its start.
   * RESTART, not TRUNCATE: the log file keeps its blocks, which are then room the outbox owns on a
   * full disk (something else may take whatever is freed). May fail for lack of room (then the log
   * just stays as it is).
   */
  private checkpointQuietly(): void {
    try {
      this.db.pragma('wal_checkpoint(RESTART)');
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
    }
  }

  /** Quota and free-space floor; evictions and storage faults are recorded as events. */
  private checkQuota(force: boolean): void {
    if (this.inQuota) return;
    const verdict = this.quota.check(performance.now(), force);
    if (verdict === undefined) return;
    this.inQuota = true;
    try {
      this.applyVerdict(verdict);
    } finally {
      this.inQuota = false;
    }
  }

  private applyVerdict(v: QuotaVerdict): void {
    if (v.evictBytes > 0) {
      const rows = (this.depth[PRIORITY_TELEMETRY] ?? 0) + (this.depth[PRIORITY_TELEMETRY + PARKED_OFFSET] ?? 0);
      const perRow = v.usage.usedBytes / Math.max(1, this.depth.reduce((a, b) => a + b, 0));
      const n = Math.min(rows, Math.ceil(v.evictBytes / Math.max(1, perRow)));
      const reason = v.diskLow ? 'free-space floor' : 'quota';
      if (n > 0 && this.quota.capped()) this.guard('evict', () => this.evictOnFullDisk(n, reason));
      else if (n > 0) this.guard('evict', () => this.db.transaction(() => this.evictRows(n, reason))());
    }
    if (v.diskLow && this.storageFaultId === undefined) {
      const fault = this.notices.storageLow(v.usage.freeBytes, this.minFreeBytes);
      this.logger.error({ freeBytes: v.usage.freeBytes, floor: this.minFreeBytes }, 'outbox: storage low');
      this.appendNotice(fault);
      this.storageFaultId = fault.id;
    } else if (!v.diskLow && this.storageFaultId !== undefined && (v.usage.freeBytes ?? Infinity) > this.minFreeBytes + this.reserveBytes + ROOM_TO_RESTORE) {
      const faultId = this.storageFaultId;
      this.storageFaultId = undefined;
      this.quota.uncap();
      this.db.pragma(`wal_autocheckpoint = ${this.autoCheckpoint}`);
      this.ballast.ensure();
      this.logger.info({ freeBytes: v.usage.freeBytes }, 'outbox: storage has room again');
      this.appendNotice(this.notices.storageRestored(faultId));
    }
  }

  /**
   * Eviction while the disk is full: small chunks with a checkpoint in between, so the log never
   * has to grow beyond the room it already has; then the `dropped` event.
   */
  private evictOnFullDisk(n: number, reason: string): void {
    const ev = this.evictInChunks(n);
    if (ev === undefined) return;
    this.droppedTotal += ev.count;
    this.logger.warn({ count: ev.count, fromTs: ev.fromTs, toTs: ev.toTs, reason }, 'outbox: dropped oldest readings');
    const note = this.pending('event', 1, this.notices.dropped(ev.count, ev.fromTs, ev.toTs, reason));
    if (this.tryCommitFull([note], [])) {
      this.depth[1] = (this.depth[1] ?? 0) + 1;
      queueMicrotask(() => this.notify(1));
    }
  }

  /** Inside a transaction: deletes the oldest readings and records a `dropped` event for them. */
  private evictRows(n: number, reason: string): void {
    const ev = this.evictor.evictOldest(n);
    if (ev === undefined) return;
    this.depth[PRIORITY_TELEMETRY] = (this.depth[PRIORITY_TELEMETRY] ?? 0) - ev.count;
    this.droppedTotal += ev.count;
    const note = this.pending('event', 1, this.notices.dropped(ev.count, ev.fromTs, ev.toTs, reason));
    this.insert.run(...note);
    this.depth[1] = (this.depth[1] ?? 0) + 1;
    this.logger.warn({ count: ev.count, fromTs: ev.fromTs, toTs: ev.toTs, reason }, 'outbox: dropped oldest readings');
    queueMicrotask(() => this.notify(1));
  }

  private recount(): void {
    this.depth.fill(0);
    for (const r of this.db.prepare('SELECT priority, COUNT(*) AS n FROM records GROUP BY priority').all() as { priority: number; n: number }[]) {
      this.depth[r.priority] = r.n;
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed || this.failure !== undefined) return;
      try {
        this.flush();
      } catch (err) {
        if (!(err instanceof OutboxStorageError)) throw err;
        this.logger.error({ err, code: err.storageCode }, 'outbox group commit failed');
        this.options.onStorageError?.(err);
      }
    }, this.flushIntervalMs);
  }

  private notify(priority: Priority): void {
    for (const listener of this.listeners) {
      try {
        listener(priority);
      } catch (err) {
        this.logger.error({ err }, 'outbox listener failed');
      }
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

  /** Live pages of the database: what the quota limits (free pages are reused, not counted). */
  private liveBytes(): number {
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    const free = Number(this.db.pragma('freelist_count', { simple: true }));
    const size = Number(this.db.pragma('page_size', { simple: true }));
    return (pages - free) * size;
  }

  /** Size of the database file (live and free pages), without the log. */
  private fileBytes(): number {
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    return pages * Number(this.db.pragma('page_size', { simple: true }));
  }

  private bytesOnDisk(): number {
    let total = 0;
    for (const file of [this.options.path, `${this.options.path}-wal`]) {
      try {
        total += statSync(file).size;
      } catch {
        // No log file right after a TRUNCATE checkpoint.
      }
    }
    return total;
  }
}

/**
 * After a file was moved aside: continue above its salvaged sequence mark, or, if none could be
 * read, above the wall clock in microseconds, which is above any sequence a gateway can have
 * produced at fewer than a million records a second since 1970.
 */
function freshSequenceFloor(salvaged: number | undefined, wallMs: number): number {
  if (salvaged !== undefined) return salvaged;
  return Math.floor(wallMs) * 1000;
}

/**
 * Room a full checkpoint of the write-ahead log may need: the log's pages can all be new pages
 * that extend the database file. On a full disk the reserve must cover that, or the log can be
 * neither emptied nor grown and nothing more can be written. Auto-checkpoint size plus 1 MiB for
 * the transaction that crossed it.
 */
function checkpointRoom(db: Db): number {
  const pages = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  return pages * Number(db.pragma('page_size', { simple: true })) + MiB;
}
