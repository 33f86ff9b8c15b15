import type { Database } from 'better-sqlite3';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { MaskCount } from './depth.js';
import { ID_FLOOR_KEY } from './schema.js';
import { PRIORITY_TELEMETRY, type Priority } from './types.js';

/** A record on its way into the `records` table: one field per column (schema.ts). */
export interface PendingRecord {
  kind: 'event' | 'reading';
  /** Send priority (types.ts). */
  priority: number;
  deviceId: string;
  seq: number;
  /** Wall time of the append: the age stats report. */
  createdAt: number;
  /** Bytes of `payload`: batch limits and the quota count them. */
  bytes: number;
  /** The Reading or GatewayEvent as JSON: the codec runs at send time. */
  payload: string;
  /** The clock epoch it was stamped in (clock-epochs.ts); 0 for salvaged events. */
  epoch: number;
  /** Bitmask of the destinations it is for (destinations.ts); 0 means nobody: not stored. */
  pending: number;
  /** The row id, handed out by the queue at append (queue.ts); absent: SQLite picks it (salvage). */
  id?: number;
}

/** A record of this process's appends: its row id is known before it has a row. */
export type StampedRecord = PendingRecord & { id: number };

/** A row as leasing reads it. */
export interface LeasedRow {
  id: number;
  priority: Priority;
  bytes: number;
  payload: string;
  epoch: number;
}

/**
 * The one INSERT of the outbox. Bound by position, in the columns' order: better-sqlite3's named
 * parameters (`@kind`) look each name up on the object from C++, which measured 0.65 µs more per
 * row here, about 15 % of a reading's ingest cost. A record for no destination is skipped.
 */
export function recordInserter(db: Database): (record: PendingRecord) => void {
  const insert = db.prepare<[number | null, string, number, string, number, number, number, string, number, number]>(
    'INSERT INTO records (id, kind, priority, device_id, seq, created_at, bytes, payload, epoch, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  return (r) => {
    if (r.pending !== 0) insert.run(r.id ?? null, r.kind, r.priority, r.deviceId, r.seq, r.createdAt, r.bytes, r.payload, r.epoch, r.pending);
  };
}

/**
 * Makes PendingRecords of this process's appends; `counted` sees every payload's size (quota.ts).
 * Row ids are handed out here, above every id the file ever used, instead of by SQLite at insert:
 * a reading waiting in memory (write-behind.ts) has its id before it has a row, and an event
 * inserted meanwhile must not take it.
 */
export class RecordStamper {
  private lastId: number;

  constructor(
    private readonly now: () => number,
    private readonly epoch: number,
    private readonly counted: (bytes: number) => void,
    db: Database,
  ) {
    this.lastId = highestRowId(db);
  }

  event(event: GatewayEvent, priority: number, pending: number): StampedRecord {
    return this.stamp('event', priority, event, pending);
  }

  reading(reading: Reading, pending: number): StampedRecord {
    return this.stamp('reading', PRIORITY_TELEMETRY, reading, pending);
  }

  private stamp(kind: PendingRecord['kind'], priority: number, record: Reading | GatewayEvent, pending: number): StampedRecord {
    const payload = JSON.stringify(record);
    const bytes = Buffer.byteLength(payload);
    this.counted(bytes);
    return { kind, priority, deviceId: record.deviceId, seq: record.seq, createdAt: this.now(), bytes, payload, epoch: this.epoch, pending, id: ++this.lastId };
  }
}

/**
 * The highest row id in the table, or the counter the file had before schema version 4 dropped
 * AUTOINCREMENT (schema.ts), whichever is higher. MAX(id) is one descent of the table's b-tree.
 */
function highestRowId(db: Database): number {
  const floor = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(ID_FLOOR_KEY) as number | undefined;
  const max = db.prepare('SELECT MAX(id) FROM records').pluck().get() as number | null;
  return Math.max(floor ?? 0, max ?? 0);
}

/** The one table-wide statement the queue runs: the insert. */
export class RecordTable {
  readonly insert: (record: PendingRecord) => void;

  constructor(db: Database) {
    this.insert = recordInserter(db);
  }
}

/**
 * Rows per priority and destination masks. Reads the send-order index alone (it carries both
 * masks): at open, a damaged index or table header shows up here.
 */
export function countByMask(db: Database): MaskCount[] {
  return db.prepare('SELECT priority, pending, parked, COUNT(*) AS n FROM records GROUP BY priority, pending, parked').all() as MaskCount[];
}
