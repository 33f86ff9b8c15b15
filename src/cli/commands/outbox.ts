import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_IOERR, EXIT_OK } from '../exit-codes.js';
import { loadConfigWithProfiles } from '../../config/load.js';
import { reportError } from '../report-error.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { SEQUENCE_MARK_FILE, parseMark } from '../../outbox/sequence-mark.js';

const USAGE = `Usage: hearth outbox stats  [--config FILE | --file DB] [--json]
       hearth outbox export [--config FILE | --file DB] [--kind event|reading] [--device ID] [--limit N]

What the gateway holds that a destination has not confirmed yet (nothing is removed before every
destination it is for confirmed it: the platform's PUBACK, a monitoring centre's confirm). Opens
the SQLite file read-only: safe while the service runs (WAL mode).

  stats          records by priority (fire alarms, other events, telemetry), oldest, size on disk,
                 and what each destination still waits for (and has parked)
  export         the records as JSON lines, in send order (fire alarms first), for a hand-over
                 when a gateway cannot reach its platform: hearth outbox export > outbox.jsonl
  --config FILE  configuration naming the outbox (default ${DEFAULT_CONFIG})
  --file DB      the outbox file itself (e.g. a copy from another gateway)
  --json         stats as one JSON object

The sequence line shows the file's high-water mark and, with --config, the mark kept in the state
directory (docs/outbox.md, "Sequence numbers that outlive the outbox file").

Exit codes: 0 ok, 64 usage, 74 the outbox file is missing or unreadable, 78 configuration invalid.`;

const PRIORITY_NAMES: Record<number, string> = { 0: 'fire', 1: 'events', 2: 'telemetry' };

interface StatsRow {
  priority: number;
  n: number;
  oldest: number | null;
}

export const outboxCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('outbox', USAGE, {
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        file: { type: 'string' },
        json: { type: 'boolean' },
        kind: { type: 'string' },
        device: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (parsed === undefined) return EXIT_USAGE;
    const { values, positionals } = parsed;
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    const sub = positionals[0];
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    const bad =
      (sub !== 'stats' && sub !== 'export') ||
      positionals.length > 1 ||
      (values.kind !== undefined && values.kind !== 'event' && values.kind !== 'reading') ||
      (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) ||
      (values.file !== undefined && values.config !== undefined);
    if (bad) {
      process.stderr.write(`hearth outbox: expected 'stats' or 'export' with valid options\n${USAGE}\n`);
      return EXIT_USAGE;
    }

    let path = values.file;
    let markFile: string | undefined;
    if (path === undefined) {
      try {
        const { config } = await loadConfigWithProfiles(values.config ?? DEFAULT_CONFIG, { checkFiles: false });
        path = config.outbox.path;
        markFile = join(config.gateway.stateDir, SEQUENCE_MARK_FILE);
      } catch (err) {
        return reportError(err);
      }
    }
    if (!existsSync(path)) {
      process.stderr.write(`hearth outbox: no outbox at ${path} (the service creates it at its first start)\n`);
      return EXIT_IOERR;
    }

    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
    } catch (err) {
      process.stderr.write(`hearth outbox: cannot open ${path}: ${(err as Error).message}\n`);
      return EXIT_IOERR;
    }
    try {
      if (sub === 'stats') printStats(db, path, values.json === true, markFile);
      else exportRecords(db, { kind: values.kind, device: values.device, limit });
      return EXIT_OK;
    } catch (err) {
      process.stderr.write(`hearth outbox: reading ${path}: ${(err as Error).message}\n`);
      return EXIT_IOERR;
    } finally {
      db.close();
    }
  },
};

function bytesOnDisk(path: string): number {
  return [path, `${path}-wal`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);
}

/** The mark in the state directory; null when there is none or it is unreadable. */
function readMark(file: string | undefined): number | null {
  if (file === undefined) return null;
  try {
    return parseMark(readFileSync(file, 'utf8')) ?? null;
  } catch {
    return null;
  }
}

function printStats(db: Database.Database, path: string, json: boolean, markFile: string | undefined): void {
  const rows = db.prepare('SELECT priority % 3 AS priority, COUNT(*) AS n, MIN(created_at) AS oldest FROM records GROUP BY priority % 3').all() as StatsRow[];
  const depth = { fire: 0, events: 0, telemetry: 0 };
  let oldest: number | null = null;
  for (const r of rows) {
    const name = (PRIORITY_NAMES[r.priority] ?? 'telemetry') as keyof typeof depth;
    depth[name] += r.n;
    if (r.oldest !== null) oldest = oldest === null ? r.oldest : Math.min(oldest, r.oldest);
  }
  const seqRow = db.prepare("SELECT value FROM meta WHERE key = 'seq_high_water'").get() as { value: number } | undefined;
  const stats = {
    file: path,
    depth,
    total: depth.fire + depth.events + depth.telemetry,
    oldestCreatedAt: oldest === null ? null : new Date(oldest).toISOString(),
    oldestAgeMs: oldest === null ? null : Date.now() - oldest,
    sequence: seqRow?.value ?? null,
    sequenceMark: readMark(markFile),
    bytesOnDisk: bytesOnDisk(path),
    destinations: destinationCounts(db),
  };
  if (json) {
    process.stdout.write(JSON.stringify(stats) + '\n');
    return;
  }
  const age = stats.oldestAgeMs === null ? '-' : `${stats.oldestCreatedAt} (${Math.round(stats.oldestAgeMs / 1000)} s ago)`;
  process.stdout.write(
    [
      `outbox ${path}`,
      `  unsent    ${stats.total} (fire alarms ${depth.fire}, other events ${depth.events}, readings ${depth.telemetry})`,
      `  oldest    ${age}`,
      `  sequence  ${stats.sequence ?? '-'}${markFile === undefined ? '' : ` (mark in the state directory: ${stats.sequenceMark ?? 'none'})`}`,
      `  on disk   ${(stats.bytesOnDisk / 1024 / 1024).toFixed(2)} MiB`,
      ...Object.entries(stats.destinations).map(
        ([id, d]) => `  ${id.padEnd(9)} waits for ${d.fire + d.events + d.telemetry} (fire alarms ${d.fire}, other events ${d.events}, readings ${d.telemetry})${d.parked > 0 ? `, parked ${d.parked}` : ''}`,
      ),
      '',
    ].join('\n'),
  );
}

interface DestinationCount {
  fire: number;
  events: number;
  telemetry: number;
  parked: number;
}

/**
 * Per destination (schema 3, docs/outbox.md "Destinations"): records it has not confirmed, by
 * priority, and those it parked. A file of an older version (not yet opened by this version of the
 * service) knows only the platform, and parked a record by adding 3 to its priority.
 */
function destinationCounts(db: Database.Database): Record<string, DestinationCount> {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'destinations'").get() !== undefined;
  const bits = hasTable ? (db.prepare('SELECT bit, id FROM destinations ORDER BY bit').all() as { bit: number; id: string }[]) : [{ bit: 0, id: 'platform' }];
  const rows = hasTable
    ? (db.prepare('SELECT priority, pending, parked, COUNT(*) AS n FROM records GROUP BY priority, pending, parked').all() as { priority: number; pending: number; parked: number; n: number }[])
    : (db.prepare('SELECT priority % 3 AS priority, 1 AS pending, CASE WHEN priority >= 3 THEN 1 ELSE 0 END AS parked, COUNT(*) AS n FROM records GROUP BY priority').all() as {
        priority: number;
        pending: number;
        parked: number;
        n: number;
      }[]);
  const out: Record<string, DestinationCount> = {};
  for (const { bit, id } of bits) {
    const mask = 1 << bit;
    const d: DestinationCount = { fire: 0, events: 0, telemetry: 0, parked: 0 };
    for (const r of rows) {
      if ((r.pending & mask) === 0) continue;
      if ((r.parked & mask) !== 0) d.parked += r.n;
      else d[(PRIORITY_NAMES[r.priority] ?? 'telemetry') as 'fire' | 'events' | 'telemetry'] += r.n;
    }
    out[id] = d;
  }
  return out;
}

function exportRecords(db: Database.Database, opts: { kind: string | undefined; device: string | undefined; limit: number | undefined }): void {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (opts.kind !== undefined) {
    where.push('kind = ?');
    params.push(opts.kind);
  }
  if (opts.device !== undefined) {
    where.push('device_id = ?');
    params.push(opts.device);
  }
  const sql =
    'SELECT id, kind, priority, device_id, seq, created_at, payload FROM records' +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY priority, id' +
    (opts.limit !== undefined ? ` LIMIT ${opts.limit}` : '');
  // iterate(): a week of buffered readings is exported without holding it all in memory.
  for (const row of db.prepare(sql).iterate(...params) as Iterable<{ id: number; kind: string; priority: number; device_id: string; seq: number; created_at: number; payload: string }>) {
    const line = { id: row.id, kind: row.kind, priority: PRIORITY_NAMES[row.priority % 3] ?? row.priority, device: row.device_id, seq: row.seq, createdAt: row.created_at, record: JSON.parse(row.payload) as unknown };
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}
