import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { eventPriority, type GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import { OutboxStorageError, isStorageFailure, toStorageError } from './errors.js';
import { LeaseTracker } from './leases.js';
import { noopLogger, type Logger } from './logger.js';
import { QuotaWatch } from './quota.js';
import { applyPragmas, migrate } from './schema.js';
import { PersistentSequence } from './sequence.js';
import {
  PRIORITIES,
  PRIORITY_TELEMETRY,
  type Batch,
  type BatchLimits,
  type OutboxStats,
  type Priority,
  type UplinkSource,
} from './types.js';

export interface OutboxOptions {
  /** SQLite file; its folder is created if missing. */
  path: string;
  /** Buffered readings are committed at most this long after appendReading. Default 100. */
  flushIntervalMs?: number;
  /** ...or as soon as this many are buffered. Default 500. */
  maxBufferedReadings?: number;
  /** Disk quota in MiB; exceeding it is only logged for now (eviction is a later step). Default 512. */
  quotaMb?: number;
  /** Sequence numbers reserved per durable write. Default 1000. */
  sequenceBlockSize?: number;
  /** Wall time for record ages. Default Date.now. */
  now?: () => number;
  logger?: Logger;
  /**
   * Called when a commit that no caller waits on (the flush timer) failed. The daemon exits with
   * EXIT_IOERR here. Either way the outbox stays failed: every later call throws.
   */
  onStorageError?: (err: OutboxStorageError) => void;
}

interface Row {
  id: number;
  priority: Priority;
  bytes: number;
  payload: string;
}

type Pending = [kind: 'event' | 'reading', priority: number, deviceId: string, seq: number, createdAt: number, bytes: number, payload: string];

const PAGE = 256;

/**
 * The durable queue between rules and uplink. Events are committed (fsynced) before appendEvent
 * returns; readings are group-committed by a short timer. Records leave only when the uplink
 * acks them after the broker's PUBACK. Also the gateway's persistent sequence source.
 */
export class Outbox implements SequenceSource, UplinkSource {
  private readonly db: Db;
  private readonly seq: PersistentSequence;
  private readonly leases = new LeaseTracker();
  private readonly listeners = new Set<(priority: Priority) => void>();
  private readonly depth: number[] = PRIORITIES.map(() => 0);
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: OutboxStorageError | undefined;
  private closed = false;
  private readonly quota: QuotaWatch;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly insert: Statement<Pending>;
  private readonly remove: Statement<[number]>;
  private readonly pageAfter: Statement<[number, number, number]>;
  private readonly oldestOf: Statement<[number]>;
  private readonly commit: (events: Pending[], deletes: number[]) => void;

  static open(options: OutboxOptions): Outbox {
    return new Outbox(options);
  }

  private constructor(private readonly options: OutboxOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxBuffered = options.maxBufferedReadings ?? 500;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? noopLogger;
    let db: Db | undefined;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      db = new Database(options.path);
      applyPragmas(db);
      migrate(db);
      this.db = db;
      this.seq = new PersistentSequence(this.db, options.sequenceBlockSize);
      this.insert = this.db.prepare(
        'INSERT INTO records (kind, priority, device_id, seq, created_at, bytes, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      this.remove = this.db.prepare('DELETE FROM records WHERE id = ? RETURNING priority');
      this.pageAfter = this.db.prepare(
        'SELECT id, priority, bytes, payload FROM records WHERE priority = ? AND id > ? ORDER BY id LIMIT ?',
      );
      this.oldestOf = this.db.prepare('SELECT created_at AS createdAt FROM records WHERE priority = ? ORDER BY id LIMIT 1');
      for (const r of this.db.prepare('SELECT priority, COUNT(*) AS n FROM records GROUP BY priority').all() as {
        priority: number;
        n: number;
      }[]) {
        this.depth[r.priority] = r.n;
      }
    } catch (err) {
      // Do not leave a half-open handle (and its file lock) behind a failed open.
      if (db?.open === true) db.close();
      throw isStorageFailure(err) ? toStorageError('open', err) : err;
    }
    // Buffered readings, an urgent event and acked deletions share one transaction: one fsync.
    this.commit = this.db.transaction((events: Pending[], deletes: number[]) => {
      for (const p of this.buffer) this.insert.run(...p);
      for (const p of events) this.insert.run(...p);
      for (const id of deletes) {
        const gone = this.remove.get(id) as { priority: number } | undefined;
        if (gone !== undefined) this.depth[gone.priority] = (this.depth[gone.priority] ?? 1) - 1;
      }
    });
    this.quota = new QuotaWatch(options.quotaMb ?? 512, () => this.bytesOnDisk(), this.logger);
    this.logger.info({ path: options.path, depth: this.depth, nextSeq: this.seq.current() + 1 }, 'outbox open');
  }

  /** SequenceSource: strictly increasing across restarts. */
  next(): number {
    this.assertUsable();
    return this.guard('sequence', () => this.seq.next());
  }

  /** Commits the event (and anything buffered) with fsync before returning. */
  appendEvent(event: GatewayEvent): void {
    this.assertUsable();
    const payload = JSON.stringify(event);
    const priority = eventPriority(event);
    this.commitNow('appendEvent', [
      ['event', priority, event.deviceId, event.seq, this.now(), Buffer.byteLength(payload), payload],
    ]);
  }

  /** Buffers the reading; it is durable after the next group commit (flush()). */
  appendReading(reading: Reading): void {
    this.assertUsable();
    const payload = JSON.stringify(reading);
    this.buffer.push([
      'reading',
      PRIORITY_TELEMETRY,
      reading.deviceId,
      reading.seq,
      this.now(),
      Buffer.byteLength(payload),
      payload,
    ]);
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
      if (priority === PRIORITY_TELEMETRY) {
        return { kind: 'telemetry', priority, ids, readings: rows.map((r) => JSON.parse(r.payload) as Reading) };
      }
      return { kind: 'event', priority, ids, event: JSON.parse(rows[0]!.payload) as GatewayEvent };
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

  onCommitted(listener: (priority: Priority) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): OutboxStats {
    this.assertUsable();
    const [fire = 0, events = 0, telemetry = 0] = this.depth;
    let oldest: number | undefined = this.buffer[0]?.[4];
    this.guard('stats', () => {
      for (const p of PRIORITIES) {
        const row = this.oldestOf.get(p) as { createdAt: number } | undefined;
        if (row !== undefined && (oldest === undefined || row.createdAt < oldest)) oldest = row.createdAt;
      }
    });
    return {
      depth: { fire, events, telemetry: telemetry + this.buffer.length },
      total: fire + events + telemetry + this.buffer.length,
      inflight: this.leases.inflight(),
      buffered: this.buffer.length,
      oldestUnsentAgeMs: oldest === undefined ? null : Math.max(0, this.now() - oldest),
      bytesOnDisk: this.bytesOnDisk(),
    };
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
      this.db.close();
      this.logger.info({ path: this.options.path }, 'outbox closed');
    }
  }

  private leaseRows(priority: Priority, maxCount: number, maxBytes: number): Row[] {
    const taken: Row[] = [];
    let bytes = 0;
    for (;;) {
      const page = this.pageAfter.all(priority, this.leases.cursor(priority), PAGE) as Row[];
      for (const row of page) {
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

  private commitNow(operation: string, events: Pending[]): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const deletes = this.leases.pendingDeletes();
    const flushed = this.buffer.length;
    this.guard(operation, () => this.commit(events, deletes));
    this.buffer = [];
    this.leases.forget(deletes);
    if (flushed > 0) this.depth[PRIORITY_TELEMETRY] = (this.depth[PRIORITY_TELEMETRY] ?? 0) + flushed;
    for (const e of events) this.depth[e[1]] = (this.depth[e[1]] ?? 0) + 1;
    this.quota.check();
    for (const e of events) this.notify(e[1] as Priority);
    if (flushed > 0) this.notify(PRIORITY_TELEMETRY);
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
      throw this.failure;
    }
  }

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('outbox is closed');
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
