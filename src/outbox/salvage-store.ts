import type { Database } from 'better-sqlite3';
import { eventPriority, type GatewayEvent } from '../model/event.js';
import { recordInserter, type PendingRecord } from './records.js';
import type { SalvageReport } from './salvage.js';

/** What a moved-aside file gave back: for the `moved aside` fault event, the log and the counters. */
export interface SalvageSummary {
  /** Events written into the fresh file. */
  events: number;
  /** Events that could not be read (damaged pages or rows); a lower bound unless `lostExact`. */
  lostEvents: number;
  lostExact: boolean;
  /** Record ids on damaged pages, kind unknown (only told when the event count is not exact). */
  unreadableIds: number;
  /** Readings in the old file: never salvaged, counted as dropped. */
  readings: number;
  /** Readable events beyond the salvage bound, left in the moved-aside file. */
  overLimit: number;
  /** The probe budget ran out: a widely damaged file was not probed to its end. */
  incomplete: boolean;
  /** Nothing more could be read (e.g. not a database at all). */
  error?: string;
}

/**
 * Writes the salvaged events into the fresh file in one transaction, before any new record, in
 * their original order, with their payload and created_at, for the destinations routing gives them
 * now (`maskFor`): which destinations had confirmed them is not known, so each is sent again (a
 * duplicate is recognised by its id, a loss would not be) and nothing salvaged starts out parked.
 * Epoch 0: clock epochs belong to a file, and the old file's are gone, so an unsynchronized time is
 * sent as it was stamped (flagged unsynced), never corrected. A row whose payload is not an event
 * (garbage a damaged page can still yield) is counted as lost rather than sent.
 * Throws the storage error if the fresh file cannot take them (nothing is then written).
 */
export function storeSalvaged(db: Database, report: SalvageReport, maskFor: (e: GatewayEvent) => number): SalvageSummary {
  const insert = recordInserter(db);
  const records: PendingRecord[] = [];
  let malformed = 0;
  for (const e of report.events) {
    const event = parseEvent(e.payload);
    if (event === undefined) {
      malformed++;
      continue;
    }
    const pending = maskFor(event);
    if (pending === 0) continue; // no destination takes this kind any more
    const { deviceId, seq, createdAt, payload } = e;
    records.push({ kind: 'event', priority: eventPriority(event), deviceId, seq, createdAt, bytes: Buffer.byteLength(payload), payload, epoch: 0, pending });
  }
  db.transaction(() => {
    for (const r of records) insert(r);
  })();
  const summary: SalvageSummary = {
    events: records.length,
    lostEvents: report.lostEvents + malformed,
    lostExact: report.indexComplete,
    unreadableIds: report.unreadableIds,
    readings: report.readings,
    overLimit: report.overLimit,
    incomplete: report.probeBudgetExhausted,
  };
  if (report.error !== undefined) summary.error = report.error;
  return summary;
}

/** A report for a file nothing could be read from. */
export function emptySalvage(error: string): SalvageReport {
  return { events: [], lostEvents: 0, indexComplete: false, unreadableIds: 0, readings: 0, overLimit: 0, probeBudgetExhausted: false, error };
}

function parseEvent(payload: string): GatewayEvent | undefined {
  try {
    const e = JSON.parse(payload) as Partial<GatewayEvent> | null;
    if (e === null || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.kind !== 'string') return undefined;
    return e as GatewayEvent;
  } catch {
    return undefined;
  }
}
