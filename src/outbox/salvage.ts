import type Database from 'better-sqlite3';

/**
 * Reading the events out of an outbox file that SQLite reported corrupt, before (worker) or after
 * (open.ts) it is moved aside. Events (alarms, faults, restores) are what must never be lost;
 * readings are only counted (their loss is reported, docs/outbox.md "Corrupt or unreadable file").
 *
 * `salvageEvents` runs in two places: on the main thread at open (startup, before detection runs)
 * and in the integrity checker's worker thread while the gateway runs, where it is started from its
 * source text (`salvageEvents.toString()`, see integrity-check.ts). It must therefore stay
 * self-contained: it may use only its parameters and JavaScript/Node globals, no imports and no
 * module-level values (types are fine, they are erased).
 */

/** Bounds on the work and on the result (the worker posts the result to the main thread). */
export interface SalvageLimits {
  /** Events kept at most; readable events beyond are counted in `overLimit`. */
  maxEvents: number;
  /** Bytes of event JSON kept at most; beyond, events are counted in `overLimit`. */
  maxBytes: number;
  /** Ids looked up one at a time after damaged chunks, over the whole file (and as many for the ids the index lists). */
  maxProbes: number;
  /** Rows read per chunk; after a chunk that throws, this many ids are probed one by one. */
  chunk: number;
}

/**
 * 50,000 events / 16 MiB: far above what a gateway queues (events are a few hundred bytes; a
 * week-long outage of a large site queues thousands), small enough to copy between threads and to
 * insert in one transaction on a Pi. 50,000 probes cover about 200 damaged chunks of 256 ids; a
 * lookup that fails on a destroyed page costs about 16 µs on a desktop, so probing a file damaged
 * everywhere (both budgets spent) takes 1.6 s there, in the order of ten seconds on a Pi. The events the index lists get the same number
 * of single lookups again. Reading the table itself is one pass (500,000 records: 2 s on a desktop).
 */
export const SALVAGE_LIMITS: Readonly<SalvageLimits> = Object.freeze({
  maxEvents: 50_000,
  maxBytes: 16 * 1024 * 1024,
  maxProbes: 50_000,
  chunk: 256,
});

/** One event row as it was stored (columns of `records`), with its id in the damaged file. */
export interface SalvagedEvent {
  rowId: number;
  priority: number;
  deviceId: string;
  seq: number;
  createdAt: number;
  payload: string;
}

export interface SalvageReport {
  /** Readable events in their original id order (send order within a priority). */
  events: SalvagedEvent[];
  /**
   * Events the file lists (in its send-order index) or holds that could not be read: on destroyed
   * pages, or with a damaged row. Exact when `indexComplete`, otherwise a lower bound.
   */
  lostEvents: number;
  /** The send-order index was read to its end, so `lostEvents` is exact. */
  indexComplete: boolean;
  /** Record ids that could not be read at all (damaged pages): events or readings, unknown which. */
  unreadableIds: number;
  /** Readings in the file (read from the table or counted in the index): not salvaged. */
  readings: number;
  /** Readable events left out because `maxEvents` or `maxBytes` was reached. */
  overLimit: number;
  /** `maxProbes` ran out before the highest known id: later damaged ranges were not probed. */
  probeBudgetExhausted: boolean;
  /** Why reading stopped early, e.g. the file is not a database at all (`SQLITE_NOTADB`). */
  error?: string;
}

type Row = [id: number, kind: unknown, priority: unknown, deviceId: unknown, seq: unknown, createdAt: unknown, payload: unknown];

/**
 * Reads every event SQLite can still read from `file`, read-only. Never throws: whatever stops it
 * is reported in `error`, with what was read until then.
 *
 * The table is read in id order, `limits.chunk` rows at a time. When a chunk throws (a damaged
 * page, SQLITE_CORRUPT), the rows it yielded before are kept and the next `chunk` ids are probed one
 * by one (each probe is a fresh b-tree descent, so it can pass a damaged leaf that the sequential
 * read cannot), then chunked reading resumes after them. Probing stops at the highest id known
 * (`sqlite_sequence`, `MAX(id)`, the send-order index) and after `limits.maxProbes` probes in all.
 * The send-order index `(priority, id)` is a separate b-tree: the ids of events it lists are
 * probed too, and those that cannot be read are the events lost.
 */
export function salvageEvents(Sqlite: typeof Database, file: string, limits: SalvageLimits): SalvageReport {
  const report: SalvageReport = {
    events: [],
    lostEvents: 0,
    indexComplete: false,
    unreadableIds: 0,
    readings: 0,
    overLimit: 0,
    probeBudgetExhausted: false,
  };
  // A damaged page shows up as an SQLite error (SQLITE_CORRUPT mostly); anything else is a bug here.
  const isSqliteError = (err: unknown): boolean => /^SQLITE_/.test(String((err as { code?: unknown } | undefined)?.code ?? ''));
  const describe = (err: unknown): string => `${String((err as { code?: unknown } | undefined)?.code ?? 'ERROR')}: ${String((err as Error | undefined)?.message ?? err)}`;
  const EVENT_PRIORITIES = new Set([0, 1, 3, 4]);

  let db: Database.Database | undefined;
  try {
    db = new Sqlite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    report.error = describe(err);
    return report;
  }
  const handled = new Set<number>(); // event ids kept or counted over the limit
  const lost = new Set<number>(); // event ids read but unusable, or listed and unreadable
  let bytes = 0;
  let tableReadings = 0;
  let indexReadings = 0;

  const take = (row: Row): void => {
    const [id, kind, priority, deviceId, seq, createdAt, payload] = row;
    if (kind === 'reading') {
      tableReadings++;
      return;
    }
    if (kind !== 'event' || handled.has(id)) return;
    if (typeof payload !== 'string' || typeof priority !== 'number' || typeof deviceId !== 'string' || typeof seq !== 'number' || typeof createdAt !== 'number') {
      lost.add(id);
      return;
    }
    handled.add(id);
    lost.delete(id);
    const size = Buffer.byteLength(payload);
    if (report.events.length >= limits.maxEvents || bytes + size > limits.maxBytes) {
      report.overLimit++;
      return;
    }
    bytes += size;
    report.events.push({ rowId: id, priority, deviceId, seq, createdAt, payload });
  };

  try {
    const d = db;
    const quietly = <T>(read: () => T): T | undefined => {
      try {
        return read();
      } catch (err) {
        if (!isSqliteError(err)) throw err;
        return undefined;
      }
    };
    // The highest id ever handed out bounds the probing: AUTOINCREMENT never goes above it.
    let high = 0;
    const seqRow = quietly(() => d.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'records'").pluck().get());
    if (typeof seqRow === 'number') high = Math.max(high, seqRow);
    const maxRow = quietly(() => d.prepare('SELECT MAX(id) FROM records').pluck().get());
    if (typeof maxRow === 'number') high = Math.max(high, maxRow);

    // The send-order index lists every record's priority and id without touching the table pages.
    const listed: number[] = [];
    try {
      const scanIndex = d.prepare('SELECT priority, id FROM records INDEXED BY records_send_order ORDER BY priority, id').raw(true);
      for (const [priority, id] of scanIndex.iterate() as Iterable<[unknown, unknown]>) {
        if (typeof id !== 'number') continue;
        high = Math.max(high, id);
        if (typeof priority === 'number' && EVENT_PRIORITIES.has(priority)) listed.push(id);
        else indexReadings++;
      }
      report.indexComplete = true;
    } catch (err) {
      if (!isSqliteError(err)) throw err;
    }

    const columns = "id, kind, priority, device_id, seq, created_at, CASE WHEN kind = 'event' THEN payload END";
    const chunkAfter = d.prepare(`SELECT ${columns} FROM records WHERE id > ? ORDER BY id LIMIT ?`).raw(true);
    const byId = d.prepare(`SELECT ${columns} FROM records WHERE id = ?`).raw(true);
    let probes = 0;
    /** Reads one id; false when its page cannot be read. */
    const probe = (id: number): boolean => {
      probes++;
      try {
        const row = byId.get(id) as Row | undefined;
        if (row !== undefined) take(row);
        return true;
      } catch (err) {
        if (!isSqliteError(err)) throw err;
        return false;
      }
    };

    let cursor = 0;
    for (;;) {
      let n = 0;
      let damaged = false;
      try {
        for (const row of chunkAfter.iterate(cursor, limits.chunk) as Iterable<Row>) {
          take(row);
          cursor = row[0];
          n++;
        }
      } catch (err) {
        if (!isSqliteError(err)) throw err;
        damaged = true;
      }
      if (!damaged) {
        if (n < limits.chunk) break; // the end of the table
        continue;
      }
      // Without any known bound, the budget alone ends the probing.
      const stop = high > 0 ? Math.min(cursor + limits.chunk, high) : cursor + limits.chunk;
      if (stop <= cursor) break;
      let id = cursor + 1;
      for (; id <= stop && probes < limits.maxProbes; id++) {
        if (!probe(id)) report.unreadableIds++;
      }
      if (id <= stop) {
        report.probeBudgetExhausted = true;
        break;
      }
      cursor = stop;
    }

    // Events the index lists that the walk did not read (destroyed, or beyond the probe budget):
    // one lookup each, with a budget of their own. Those still not read are the events lost.
    let lookups = 0;
    for (const id of listed) {
      if (handled.has(id)) continue;
      if (lookups++ >= limits.maxProbes) {
        report.probeBudgetExhausted = true;
        lost.add(id);
        continue;
      }
      if (!probe(id) || !handled.has(id)) lost.add(id);
    }
  } catch (err) {
    report.error = describe(err);
  } finally {
    try {
      db.close();
    } catch {
      // The result is already taken.
    }
  }
  report.lostEvents = lost.size;
  report.readings = Math.max(tableReadings, indexReadings);
  report.events.sort((a, b) => a.rowId - b.rowId);
  return report;
}
