import type { Database } from 'better-sqlite3';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { Eviction, TelemetryEvictor } from './evict.js';
import type { Logger } from './logger.js';
import type { OutboxNotices } from './notices.js';
import type { QuotaWatch } from './quota.js';
import type { Confirmations, Lanes } from './lanes.js';
import type { PendingRecord } from './records.js';
import type { RecordQueue } from './queue.js';
import type { Ballast } from './reserve.js';
import { PRIORITY_TELEMETRY } from './types.js';

/** Log auto-checkpoint (pages) while the disk is full: a quarter of the usual 1000. */
const FULL_DISK_AUTOCHECKPOINT = 250;

/** Storage-pressure state the quota checks and the full-disk handling share. */
export interface StorageState {
  /** Id of the active storage fault event (disk low or full), if any. */
  faultId: string | undefined;
  /** Readings evicted, dropped on a full disk or left in a moved-aside file, since open. */
  droppedReadings: number;
}

/** What the full-disk handling works on; the outbox composes it (storage-pressure.ts). */
export interface FullDiskParts {
  db: Database;
  lanes: Lanes;
  queue: RecordQueue;
  evictor: TelemetryEvictor;
  ballast: Ballast;
  quota: QuotaWatch;
  /** One of the outbox's own events as a record, routed to its destinations. */
  noticeRecord(event: GatewayEvent): PendingRecord;
  notices: OutboxNotices;
  logger: Logger;
  state: StorageState;
  /** Tells onNotice about an event committed already. */
  announce(event: GatewayEvent): void;
}

/**
 * A full disk (SQLITE_FULL: SQLite rolled the commit back cleanly, this is not a failed fsync):
 * the ballast is released, the write-ahead log checkpointed, the events committed in that room and
 * the oldest telemetry evicted in chunks. While the disk stays full the database file must not
 * grow: the quota is capped below its size and the log checkpoints more often, so new records
 * reuse freed pages.
 */
export class FullDisk {
  /** The log's auto-checkpoint size in pages, restored when the disk has room again. */
  private readonly autoCheckpoint: number;

  constructor(private readonly parts: FullDiskParts) {
    this.autoCheckpoint = Number(parts.db.pragma('wal_autocheckpoint', { simple: true }));
  }

  /**
   * Releases the ballast, drops the buffered readings, checkpoints the log into the database (the
   * ballast covers the file's growth; the log is then reused), commits the events with the storage
   * fault, and evicts the oldest half of the stored telemetry (reported as `dropped`). Throws (the
   * caller makes that fatal) if even the events do not fit.
   */
  makeRoom(events: PendingRecord[], confirmed: Confirmations): void {
    const { queue, state, notices, lanes, logger } = this.parts;
    const released = this.parts.ballast.release();
    logger.error({ released, buffered: queue.bufferedCount() }, 'outbox: disk full; releasing reserved room for events');
    const lost = queue.takeBuffered().map((r) => (JSON.parse(r.payload) as Reading).ts);
    state.droppedReadings += lost.length;
    this.checkpoint();
    const raised: GatewayEvent[] = [];
    if (lost.length > 0) raised.push(notices.dropped(lost.length, Math.min(...lost), Math.max(...lost), 'disk full'));
    let faultId = state.faultId;
    if (faultId === undefined) {
      const fault = notices.storageFull();
      faultId = fault.id;
      raised.push(fault);
    }
    const extra = raised.map((e) => this.parts.noticeRecord(e));
    // Events first, in the room the ballast and the checkpointed log left; if even that fails, evict
    // old telemetry first and try once more: a failure then is fatal.
    const committed = this.tryCommit([...extra, ...events], confirmed);
    const evicted = this.evictInChunks(Math.max(1000, Math.ceil(lanes.rows.of(PRIORITY_TELEMETRY) / 2)));
    if (!committed) queue.commitUnbuffered([...extra, ...events], confirmed);
    state.faultId = faultId;
    lanes.inserted(extra);
    for (const e of raised) this.parts.announce(e);
    if (evicted !== undefined) {
      state.droppedReadings += evicted.count;
      const note = this.parts.noticeRecord(notices.dropped(evicted.count, evicted.fromTs, evicted.toTs, 'disk full'));
      if (this.tryCommit([note], [])) lanes.inserted([note]);
    }
    this.checkpoint();
    this.parts.quota.capAt(this.fileBytes() * 0.95);
    // Checkpoint at a quarter of the log's size: the rest is headroom for a commit that would
    // otherwise need the log file to grow.
    this.parts.db.pragma(`wal_autocheckpoint = ${FULL_DISK_AUTOCHECKPOINT}`);
  }

  /**
   * Eviction while the disk stays full: small chunks with a checkpoint in between, so the log
   * never has to grow beyond the room it already has; then the `dropped` event.
   */
  evictWhileFull(rows: number, reason: string): void {
    const { state, logger, notices, lanes } = this.parts;
    const ev = this.evictInChunks(rows);
    if (ev === undefined) return;
    state.droppedReadings += ev.count;
    logger.warn({ count: ev.count, fromTs: ev.fromTs, toTs: ev.toTs, reason }, 'outbox: dropped oldest readings');
    const note = this.parts.noticeRecord(notices.dropped(ev.count, ev.fromTs, ev.toTs, reason));
    if (this.tryCommit([note], [])) {
      lanes.inserted([note]);
      queueMicrotask(() => lanes.notify([note]));
    }
  }

  /** The filesystem has room again: the usual checkpoints, no cap, the ballast back. */
  roomAgain(): void {
    this.parts.quota.uncap();
    this.parts.db.pragma(`wal_autocheckpoint = ${this.autoCheckpoint}`);
    this.parts.ballast.ensure();
  }

  private tryCommit(events: PendingRecord[], confirmed: Confirmations): boolean {
    try {
      this.parts.queue.commitUnbuffered(events, confirmed);
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
    const { db, evictor, lanes } = this.parts;
    let total: Eviction | undefined;
    try {
      while ((total?.count ?? 0) < target) {
        const ev = db.transaction(() => evictor.evictOldest(1000))();
        if (ev === undefined) break;
        lanes.evicted(ev);
        total = total === undefined ? ev : { ...ev, count: total.count + ev.count, fromTs: total.fromTs };
        this.checkpoint();
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
  private checkpoint(): void {
    try {
      this.parts.db.pragma('wal_checkpoint(RESTART)');
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
    }
  }

  /** Size of the database file (live and free pages), without the log. */
  private fileBytes(): number {
    const pages = Number(this.parts.db.pragma('page_count', { simple: true }));
    return pages * Number(this.parts.db.pragma('page_size', { simple: true }));
  }
}
