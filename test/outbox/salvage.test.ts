import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { SALVAGE_LIMITS, salvageEvents } from '../../src/outbox/salvage.js';
import { eventRows, fill, integrityLines, overwritePages, pagesOf, recordLeaves, storedEvents } from './damage.js';
import { GATEWAY, tempDir } from './fixtures.js';

const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };
const OPTIONS = { gatewayId: GATEWAY, minFreeMb: 0, reserveMb: 0 };

interface Damaged {
  dir: string;
  path: string;
  /** Every event in the file before the damage: id → row and priority. */
  before: Map<string, { row: number; priority: number }>;
  /** Events that were on destroyed pages. */
  lost: Set<string>;
  /** Row ids on destroyed table pages (events and readings). */
  destroyedRows: number;
  readings: number;
  parked: number;
}

/**
 * An outbox of 2000 records (every fifth an event; ten faults parked, as after a refusal), closed
 * (checkpointed into the database file), then four leaf pages of its table overwritten on disk.
 */
function damagedOutbox(t: { teardown(fn: () => void): void }, damage: (path: string, leaves: ReturnType<typeof recordLeaves>) => number[] = middleLeaves): Damaged {
  const dir = tempDir(t);
  const path = join(dir, 'outbox.db');
  const box = Outbox.open({ path, ...OPTIONS });
  const written = fill(box, 2000);
  const rows = eventRows(path);
  const toPark = [...written.events].filter(([, p]) => p === 1).slice(0, 10).map(([id]) => rows.get(id)!);
  box.park(toPark, 'test: refused');
  box.close();
  const before = storedEvents(path);
  const parked = [...before.values()].filter((e) => e.parked !== 0).length;
  const leaves = recordLeaves(path);
  const victims = damage(path, leaves);
  const destroyed = new Set(leaves.filter((l) => victims.includes(l.page)).flatMap((l) => l.ids));
  overwritePages(path, victims);
  const lost = new Set([...before].filter(([, e]) => destroyed.has(e.row)).map(([id]) => id));
  return { dir, path, before, lost, destroyedRows: destroyed.size, readings: written.readings, parked };
}

/** Three neighbouring leaves a third of the way in and one two thirds in. */
function middleLeaves(_path: string, leaves: ReturnType<typeof recordLeaves>): number[] {
  const k = Math.floor(leaves.length / 3);
  return [k, k + 1, k + 2, 2 * k].map((i) => leaves[i]!.page);
}

function noticeOf(box: Outbox): string {
  // The moved-aside notice is the newest event: lease everything, take the last one.
  const messages: string[] = [];
  for (let b = box.nextBatch(LIMITS); b !== undefined; b = box.nextBatch(LIMITS)) {
    if (b.kind === 'event' && /moved aside/.test(b.event.message)) messages.push(b.event.message);
  }
  return messages.join('\n');
}

t.test('table pages overwritten: open moves the file aside and the fresh outbox holds every readable event, with its priority', async (t) => {
  const d = damagedOutbox(t);
  t.not(integrityLines(d.path)[0], 'ok', 'the file is really damaged (PRAGMA integrity_check)');
  t.ok(d.lost.size > 0 && d.lost.size < d.before.size, `some events were on destroyed pages (${d.lost.size} of ${d.before.size})`);
  // The running outbox marks the file when it meets a damaged page; the next start checks it fully.
  writeFileSync(`${d.path}.check`, 'suspect\n');

  const box = Outbox.open({ path: d.path, ...OPTIONS });
  t.teardown(() => box.close());
  t.ok(readdirSync(d.dir).some((f) => f.startsWith('outbox.db.corrupt-')), 'the damaged file is kept aside');
  t.notOk(existsSync(`${d.path}.check`), 'the fresh file is not suspect');

  const fresh = storedEvents(d.path);
  const notice = [...fresh.values()].find((e) => /moved aside/.test(e.message));
  t.ok(notice, 'the moved-aside fault event is in the fresh file');
  const readable = [...d.before.keys()].filter((id) => !d.lost.has(id));
  t.same(readable.filter((id) => !fresh.has(id)), [], 'every readable event was salvaged');
  t.same([...d.lost].filter((id) => fresh.has(id)), [], 'none of the destroyed ones (nothing invented)');
  t.same(readable.filter((id) => fresh.get(id)?.priority !== d.before.get(id)!.priority), [], 'each keeps its priority');
  t.same(readable.filter((id) => fresh.get(id)?.epoch !== 0), [], 'epoch 0: no clock correction across files');
  t.same(readable.filter((id) => fresh.get(id)!.row > notice!.row), [], 'salvaged before any new record');
  t.equal(fresh.size, readable.length + 1, 'nothing else: the salvaged events and the notice');
  const kept = readable.length;
  t.equal(d.parked, 10, 'the damaged file had parked events');
  t.equal(box.stats().parked, 0, 'nothing salvaged starts out parked: which destinations had refused or confirmed it is not known, each is sent again');
  t.equal(box.stats().droppedReadings, d.readings, 'the readings of the old file are counted as dropped');

  const first = box.nextBatch(LIMITS);
  const firstFire = [...d.before].find(([id, e]) => e.priority === 0 && !d.lost.has(id))![0];
  t.equal(first?.kind === 'event' && first.event.id, firstFire, 'the oldest readable fire alarm is sent first, with its original id');
  box.release(first!.ids);
  const message = noticeOf(box);
  t.match(message, `salvaged ${kept} events`);
  t.match(message, `; ${d.lost.size} events lost (unreadable)`, 'the events on destroyed pages are reported, counted');
  t.match(message, `readings are not salvaged (${d.readings} dropped)`);
});

t.test('table and index pages overwritten, no marker: found at open, the readable events still salvaged', async (t) => {
  let indexPage = 0;
  const d = damagedOutbox(t, (path, leaves) => {
    const index = pagesOf(path, 'records_send_order', 'leaf');
    indexPage = index[Math.floor(index.length / 2)]!;
    return [...middleLeaves(path, leaves), indexPage];
  });
  t.ok(indexPage > 0);
  const box = Outbox.open({ path: d.path, ...OPTIONS });
  t.teardown(() => box.close());
  const fresh = storedEvents(d.path);
  const expected = [...d.before.keys()].filter((id) => !d.lost.has(id));
  t.same(
    expected.filter((id) => fresh.get(id)?.priority !== d.before.get(id)!.priority),
    [],
    'every readable event is in the fresh file with its priority',
  );
  t.same([...d.lost].filter((id) => fresh.has(id)), [], 'none of the destroyed ones');
  const message = noticeOf(box);
  t.match(message, `salvaged ${expected.length} events`);
  t.match(message, `${d.destroyedRows} damaged records of unknown kind`, 'without the index, the destroyed records are counted by id');
});

t.test("the table's root page destroyed: nothing readable, every event reported lost, open still starts fresh", async (t) => {
  const d = damagedOutbox(t, (path) => [pagesOf(path, 'records', 'internal')[0]!]);
  writeFileSync(`${d.path}.check`, 'suspect\n');
  const box = Outbox.open({ path: d.path, ...OPTIONS });
  t.teardown(() => box.close());
  t.equal(storedEvents(d.path).size, 1, 'only the notice');
  const message = noticeOf(box);
  t.match(message, 'salvaged 0 events');
  t.match(message, `; ${d.before.size} events lost (unreadable)`, 'the index still tells how many events there were');
});

t.test('a file of garbage: opens fresh with nothing salvaged', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'outbox.db');
  const junk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
  writeFileSync(path, junk);
  let box: Outbox | undefined;
  t.doesNotThrow(() => (box = Outbox.open({ path, ...OPTIONS })));
  t.teardown(() => box?.close());
  t.equal(storedEvents(path).size, 1, 'only the notice');
  t.match(noticeOf(box!), /no events could be read from it; readings are not salvaged \(0 dropped\)/);
});

t.test('the work and the result are bounded; reading never throws', async (t) => {
  const d = damagedOutbox(t);
  const all = salvageEvents(Database, d.path, SALVAGE_LIMITS);
  t.equal(all.events.length, d.before.size - d.lost.size);
  t.equal(all.lostEvents, d.lost.size);
  t.ok(all.indexComplete);
  t.equal(all.unreadableIds, d.destroyedRows, 'every id on a destroyed page was probed');
  t.same(all.events.map((e) => e.rowId), [...all.events.map((e) => e.rowId)].sort((a, b) => a - b), 'in id order');

  const few = salvageEvents(Database, d.path, { ...SALVAGE_LIMITS, maxEvents: 10 });
  t.equal(few.events.length, 10);
  t.equal(few.overLimit, all.events.length - 10, 'the rest is counted, not lost silently');
  t.equal(few.lostEvents, d.lost.size);

  const bytes = all.events.slice(0, 5).reduce((n, e) => n + Buffer.byteLength(e.payload), 0);
  t.equal(salvageEvents(Database, d.path, { ...SALVAGE_LIMITS, maxBytes: bytes }).events.length, 5, 'the byte bound holds');

  const starved = salvageEvents(Database, d.path, { ...SALVAGE_LIMITS, maxProbes: 3 });
  t.ok(starved.probeBudgetExhausted, 'probing stops at the budget');
  t.ok(starved.events.length > 0 && starved.events.length <= all.events.length);

  const missing = salvageEvents(Database, join(d.dir, 'none.db'), SALVAGE_LIMITS);
  t.equal(missing.events.length, 0);
  t.match(missing.error, /SQLITE_CANTOPEN/);
});
