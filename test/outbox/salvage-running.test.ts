import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import type { FaultReporter } from '../../src/faults/gateway-faults.js';
import { ResilientOutbox } from '../../src/outbox/resilient-outbox.js';
import { fill, integrityLines, overwritePages, recordLeaves, storedEvents } from './damage.js';
import { GATEWAY, tempDir } from './fixtures.js';

const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };

class FaultLog implements FaultReporter {
  readonly log: string[] = [];
  raise(key: string, message: string): void {
    this.log.push(`raise ${key}: ${message}`);
  }
  clear(key: string): void {
    this.log.push(`clear ${key}`);
  }
  active(): boolean {
    return false;
  }
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('pages destroyed under the running outbox: the worker checks, salvages the readable events, the fresh file holds them', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'outbox.db');
  const faults = new FaultLog();
  const logged: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const log = (obj: object, msg?: string): void => void logged.push({ obj: obj as Record<string, unknown>, msg });
  const notices: string[] = [];
  // The real integrity checker (a worker thread): no `check` is substituted.
  const s = new ResilientOutbox({
    outbox: { path, gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0 },
    clock: new ManualClock(Date.UTC(2026, 5, 1), 1000, true),
    gatewayId: GATEWAY,
    faults,
    reopenMinMs: 20,
    reopenMaxMs: 40,
    logger: { debug: log, info: log, warn: log, error: log },
    onNotice: (e) => notices.push(e.message),
  });
  t.teardown(() => s.close());
  s.start();
  const written = fill(s, 2000);

  // Everything into the database file, then four of the table's leaf pages destroyed on disk.
  const other = new Database(path);
  t.teardown(() => other.open && other.close());
  other.pragma('wal_checkpoint(TRUNCATE)');
  const before = storedEvents(path);
  t.equal(before.size, written.events.size);
  const leaves = recordLeaves(path);
  const k = Math.floor(leaves.length / 3);
  const victims = [k, k + 1, k + 2, 2 * k].map((i) => leaves[i]!);
  const destroyed = new Set(victims.flatMap((l) => l.ids));
  overwritePages(path, victims.map((l) => l.page));
  t.not(integrityLines(path)[0], 'ok', 'the file is really damaged');
  const lost = new Set([...before].filter(([, e]) => destroyed.has(e.row)).map(([id]) => id));
  t.ok(lost.size > 0 && lost.size < before.size, `some events were on destroyed pages (${lost.size} of ${before.size})`);
  // A commit by another connection makes the outbox drop its page cache and read the disk again.
  other.prepare("UPDATE meta SET value = value WHERE key = 'seq_high_water'").run();
  other.close();

  // The uplink leases record after record until the outbox meets a destroyed page.
  for (let i = 0; i < 5000 && s.health().ok; i++) {
    if (s.nextBatch(LIMITS) === undefined) break;
  }
  t.notOk(s.health().ok, 'the damaged page put the gateway in a storage fault');
  t.match(faults.log[0], /raise storage: .*SQLITE_CORRUPT/);

  await until(() => s.health().ok, 'the file checked, moved aside and started fresh');
  t.ok(readdirSync(dir).some((f) => f.startsWith('outbox.db.corrupt-')), 'the damaged file is kept aside');
  const verdict = logged.find((l) => l.msg === 'outbox: integrity check failed; the file is moved aside');
  t.equal(verdict?.obj['salvagedEvents'], before.size - lost.size, 'the worker read the events and its verdict carried them');

  const fresh = storedEvents(path);
  const readable = [...before.keys()].filter((id) => !lost.has(id));
  t.same(readable.filter((id) => fresh.get(id)?.priority !== before.get(id)!.priority), [], 'every readable event is in the fresh file, same priority');
  t.same([...lost].filter((id) => fresh.has(id)), [], 'none of the destroyed ones');
  const notice = notices.find((m) => /moved aside/.test(m)) ?? '';
  t.match(notice, `salvaged ${readable.length} events`);
  t.match(notice, `; ${lost.size} events lost (unreadable)`, 'the events on destroyed pages are reported, counted');
  t.match(notice, `readings are not salvaged (${written.readings} dropped)`);
  const noticeRow = [...fresh.values()].find((e) => /moved aside/.test(e.message))!.row;
  t.same(readable.filter((id) => fresh.get(id)!.row > noticeRow), [], 'salvaged before any new record');

  // Delivery resumes from the fresh file: the salvaged fire alarms go first, with their original ids.
  const next = s.nextBatch(LIMITS);
  const firstFire = [...before].find(([id, e]) => e.priority === 0 && !lost.has(id))![0];
  t.equal(next?.kind === 'event' && next.event.id, firstFire);
  t.same(faults.log.slice(-1), ['clear storage']);
});
