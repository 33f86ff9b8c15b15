import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { GatewayEvent } from '../model/event.js';
import { TelemetryEvictor } from './evict.js';
import { FullDisk, type StorageState } from './full-disk.js';
import type { Logger } from './logger.js';
import type { OutboxNotices } from './notices.js';
import { QuotaWatch, freeBytesAt, type QuotaVerdict } from './quota.js';
import type { Confirmations, Lanes } from './lanes.js';
import type { PendingRecord, RecordTable } from './records.js';
import type { RecordQueue } from './queue.js';
import { Ballast } from './reserve.js';
import { PRIORITY_TELEMETRY } from './types.js';

const MiB = 1024 * 1024;
/**
 * A storage fault clears only with this much room above the floor and the reserve: enough for the
 * write-ahead log to grow to its checkpoint size (about 4 MiB) and more, so the fault does not flap
 * on a disk that is still nearly full.
 */
const ROOM_TO_RESTORE = 8 * MiB;

export interface PressureLimits {
  /** The outbox file: the ballast goes beside it, free space is measured on its filesystem. */
  path: string;
  quotaBytes: number;
  minFreeBytes: number;
  /** Ballast kept for events on a full disk (reserve.ts); 0 disables. */
  reserveBytes: number;
  /** Re-measure disk use at most this often, or after appending 1 % of the quota. */
  checkEveryMs: number;
}

/** What storage pressure needs from the outbox around it. */
export interface PressureHost {
  /** Runs a storage operation; a storage failure fails the outbox and is thrown. */
  guard<T>(operation: string, fn: () => T): T;
  /** Commits one of the outbox's own events and tells onNotice. */
  appendNotice(event: GatewayEvent): void;
  /** Tells onNotice about an event committed already. */
  announce(event: GatewayEvent): void;
}

/** The parts of the outbox storage pressure acts on. */
export interface PressureParts {
  db: Database;
  table: RecordTable;
  lanes: Lanes;
  queue: RecordQueue;
  /** One of the outbox's own events as a record, routed to its destinations. */
  noticeRecord(event: GatewayEvent): PendingRecord;
  notices: OutboxNotices;
  logger: Logger;
}

/**
 * The outbox against its disk: the quota and the free-space floor are measured after commits
 * (quota.ts); over them, the oldest telemetry is evicted (never an event) and a `dropped` event
 * says what is missing; below the floor a storage fault is raised until the filesystem has room
 * again. A commit that finds the disk full is handled by full-disk.ts.
 */
export class StoragePressure {
  private readonly state: StorageState = { faultId: undefined, droppedReadings: 0 };
  private readonly quota: QuotaWatch;
  private readonly evictor: TelemetryEvictor;
  private readonly ballast: Ballast;
  private readonly fullDisk: FullDisk;
  private readonly reserveBytes: number;
  private inCheck = false;

  constructor(
    private readonly parts: PressureParts,
    private readonly limits: PressureLimits,
    private readonly host: PressureHost,
  ) {
    const { db } = parts;
    this.evictor = new TelemetryEvictor(db);
    this.reserveBytes = limits.reserveBytes > 0 ? Math.max(limits.reserveBytes, checkpointRoom(db)) : limits.reserveBytes;
    const { quotaBytes, minFreeBytes, checkEveryMs } = limits;
    this.quota = new QuotaWatch({ quotaBytes, minFreeBytes, checkEveryMs, checkEveryBytes: quotaBytes / 100 }, () => ({
      usedBytes: liveBytes(db),
      freeBytes: freeBytesAt(dirname(limits.path)),
    }));
    this.ballast = new Ballast(`${limits.path}.reserve`, this.reserveBytes);
    this.fullDisk = new FullDisk({ ...parts, evictor: this.evictor, ballast: this.ballast, quota: this.quota, state: this.state, announce: (e) => host.announce(e) });
    if (!this.ballast.ensure()) parts.logger.warn({ path: this.ballast.path }, 'outbox: no room for the reserve file');
  }

  /** Counts appended payload bytes: they may bring the next check forward. */
  appended(bytes: number): void {
    this.quota.appended(bytes);
  }

  /** A commit found the disk full (full-disk.ts); throws if even the events do not fit. */
  diskFull(events: PendingRecord[], confirmed: Confirmations): void {
    this.fullDisk.makeRoom(events, confirmed);
  }

  /** Readings left in a moved-aside file: a counted loss, like an eviction. */
  countDropped(readings: number): void {
    this.state.droppedReadings += readings;
  }

  droppedReadings(): number {
    return this.state.droppedReadings;
  }

  /** A storage fault (disk low or full) is active. */
  faultActive(): boolean {
    return this.state.faultId !== undefined;
  }

  /** Quota and free-space floor, measured when due (or now with `force`). */
  check(force: boolean): void {
    if (this.inCheck) return;
    const verdict = this.quota.check(performance.now(), force);
    if (verdict === undefined) return;
    this.inCheck = true;
    try {
      this.apply(verdict);
    } finally {
      this.inCheck = false;
    }
  }

  private apply(v: QuotaVerdict): void {
    const { lanes, notices, logger } = this.parts;
    const { minFreeBytes } = this.limits;
    if (v.evictBytes > 0) {
      const rows = lanes.rows.of(PRIORITY_TELEMETRY);
      const perRow = v.usage.usedBytes / Math.max(1, lanes.rows.total());
      const n = Math.min(rows, Math.ceil(v.evictBytes / Math.max(1, perRow)));
      const reason = v.diskLow ? 'free-space floor' : 'quota';
      if (n > 0 && this.quota.capped()) this.host.guard('evict', () => this.fullDisk.evictWhileFull(n, reason));
      else if (n > 0) this.host.guard('evict', () => this.parts.db.transaction(() => this.evictRows(n, reason))());
    }
    if (v.diskLow && this.state.faultId === undefined) {
      const fault = notices.storageLow(v.usage.freeBytes, minFreeBytes);
      logger.error({ freeBytes: v.usage.freeBytes, floor: minFreeBytes }, 'outbox: storage low');
      this.host.appendNotice(fault);
      this.state.faultId = fault.id;
    } else if (!v.diskLow && this.state.faultId !== undefined && (v.usage.freeBytes ?? Infinity) > minFreeBytes + this.reserveBytes + ROOM_TO_RESTORE) {
      const faultId = this.state.faultId;
      this.state.faultId = undefined;
      this.fullDisk.roomAgain();
      logger.info({ freeBytes: v.usage.freeBytes }, 'outbox: storage has room again');
      this.host.appendNotice(notices.storageRestored(faultId));
    }
  }

  /** Inside a transaction: deletes the oldest readings and records a `dropped` event for them. */
  private evictRows(n: number, reason: string): void {
    const { lanes, table, notices, logger } = this.parts;
    const ev = this.evictor.evictOldest(n);
    if (ev === undefined) return;
    lanes.evicted(ev);
    this.state.droppedReadings += ev.count;
    const note = this.parts.noticeRecord(notices.dropped(ev.count, ev.fromTs, ev.toTs, reason));
    table.insert(note);
    lanes.inserted([note]);
    logger.warn({ count: ev.count, fromTs: ev.fromTs, toTs: ev.toTs, reason }, 'outbox: dropped oldest readings');
    queueMicrotask(() => lanes.notify([note]));
  }
}

/** Live pages of the database: what the quota limits (free pages are reused, not counted). */
function liveBytes(db: Database): number {
  const pages = Number(db.pragma('page_count', { simple: true }));
  const free = Number(db.pragma('freelist_count', { simple: true }));
  const size = Number(db.pragma('page_size', { simple: true }));
  return (pages - free) * size;
}

/**
 * Room a full checkpoint of the write-ahead log may need: the log's pages can all be new pages
 * that extend the database file. On a full disk the reserve must cover that, or the log can be
 * neither emptied nor grown and nothing more can be written. Auto-checkpoint size plus 1 MiB for
 * the transaction that crossed it.
 */
function checkpointRoom(db: Database): number {
  const pages = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  return pages * Number(db.pragma('page_size', { simple: true })) + MiB;
}
