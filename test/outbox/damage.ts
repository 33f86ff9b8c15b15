import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Outbox } from '../../src/outbox/index.js';
import { fault, fireAlarm, reading } from './fixtures.js';

/**
 * Real damage to an outbox file for the salvage tests: pages of the file overwritten on disk, found
 * with SQLite's own page map (the dbstat table), so a test knows exactly which records were on the
 * destroyed pages without asking the code under test.
 */

export interface Leaf {
  page: number;
  /** Row ids stored on this leaf page. */
  ids: number[];
}

/** The leaf pages of `records` in key order, each with the row ids it holds. */
export function recordLeaves(path: string): Leaf[] {
  const db = new Database(path, { readonly: true });
  try {
    // dbstat's `path` (hex digits per level) sorts like an in-order walk of the b-tree.
    const leaves = db
      .prepare("SELECT pageno AS page, ncell FROM dbstat WHERE name = 'records' AND pagetype = 'leaf' ORDER BY path")
      .all() as { page: number; ncell: number }[];
    const ids = db.prepare('SELECT id FROM records ORDER BY id').pluck().all() as number[];
    let at = 0;
    const out = leaves.map((l) => {
      const leaf = { page: l.page, ids: ids.slice(at, at + l.ncell) };
      at += l.ncell;
      return leaf;
    });
    if (at !== ids.length) throw new Error(`page map mismatch: ${at} cells for ${ids.length} rows`);
    return out;
  } finally {
    db.close();
  }
}

/** Page numbers of a b-tree (table or index) of the file, of one page type or all. */
export function pagesOf(path: string, name: string, pagetype?: 'leaf' | 'internal'): number[] {
  const db = new Database(path, { readonly: true });
  try {
    const sql = `SELECT pageno FROM dbstat WHERE name = ?${pagetype === undefined ? '' : ' AND pagetype = ?'} ORDER BY path`;
    return db.prepare(sql).pluck().all(...(pagetype === undefined ? [name] : [name, pagetype])) as number[];
  } finally {
    db.close();
  }
}

export function pageSize(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
}

/** Overwrites whole pages (1-based numbers) of the database file with garbage, in place. */
export function overwritePages(path: string, pages: number[]): void {
  const size = pageSize(path);
  const junk = Buffer.alloc(size);
  for (let i = 0; i < size; i++) junk[i] = (i * 31 + 0xff) & 0xff; // first byte 0xff: no valid page type
  const fd = openSync(path, 'r+');
  try {
    for (const p of pages) {
      if (p <= 1) throw new Error('page 1 holds the schema: damage it on purpose only');
      writeSync(fd, junk, 0, size, (p - 1) * size);
    }
  } finally {
    closeSync(fd);
  }
}

/** A direct `PRAGMA integrity_check`: the lines it reports, ['ok'] for a sound file. */
export function integrityLines(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (err) {
    return [`${(err as { code?: string }).code}: ${(err as Error).message}`];
  } finally {
    db.close();
  }
}

export interface Written {
  /** Event id → its stored priority, for every event written. */
  events: Map<string, number>;
  readings: number;
}

/**
 * Appends `count` records through the outbox: every fifth an event (fire alarms and faults
 * alternating), the rest readings, so events are spread over every page of the table.
 */
export function fill(box: Pick<Outbox, 'next' | 'appendEvent' | 'appendReading' | 'flush'>, count: number): Written {
  const events = new Map<string, number>();
  let readings = 0;
  for (let i = 0; i < count; i++) {
    const seq = box.next();
    if (i % 5 !== 4) {
      box.appendReading(reading(seq));
      readings++;
      continue;
    }
    const e = i % 10 === 4 ? fireAlarm(seq) : fault(seq);
    box.appendEvent(e);
    events.set(e.id, e.kind === 'alarm' ? 0 : 1);
  }
  box.flush();
  return { events, readings };
}

/** Event id → row id in the file, read while it is still sound. */
export function eventRows(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare("SELECT id, payload ->> '$.id' AS eventId FROM records WHERE kind = 'event'").all() as { id: number; eventId: string }[];
    return new Map(rows.map((r) => [r.eventId, r.id]));
  } finally {
    db.close();
  }
}

/** Events of a sound file (a fresh outbox) in row order: event id → its row. */
export function storedEvents(path: string): Map<string, { row: number; priority: number; message: string; epoch: number; parked: number }> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT id AS row, priority, epoch, parked, payload ->> '$.id' AS eventId, payload ->> '$.message' AS message FROM records WHERE kind = 'event' ORDER BY records.id")
      .all() as { row: number; eventId: string; priority: number; message: string; epoch: number; parked: number }[];
    return new Map(rows.map((r) => [r.eventId, { row: r.row, priority: r.priority, message: r.message, epoch: r.epoch, parked: r.parked }]));
  } finally {
    db.close();
  }
}
