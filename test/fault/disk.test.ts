import { existsSync, readdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { Outbox } from '../../src/outbox/index.js';
import { fault, fireAlarm, reading, tempDir } from '../outbox/fixtures.js';

/** A 24 MiB tmpfs: a real filesystem that really fills up (ENOSPC), mounted for this test only. */
const smallFilesystem = (t: { teardown(fn: () => void): void }): string | undefined => mountTmpfs(t, 24 * 1024)?.dir;

/** Takes every byte left on the filesystem, like a log file that ran away. */
function fillUp(dir: string): number {
  const s = statfsSync(dir);
  const bytes = s.bavail * s.bsize;
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(bytes));
  } catch {
    // ENOSPC after writing most of it: the point is that nothing is left.
  }
  const left = statfsSync(dir);
  return left.bavail * left.bsize;
}

function storedEvents(path: string): { k: string; id: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT payload ->> '$.kind' AS k, payload ->> '$.id' AS id FROM records WHERE kind = 'event'").all() as { k: string; id: string }[];
  } finally {
    db.close();
  }
}

t.test('full disk that stays full: a fault event, readings dropped and counted, events still written, no corruption', async (t) => {
  const dir = smallFilesystem(t);
  if (dir === undefined) return t.plan(0, 'skipped: the kernel refused a tmpfs mount here (not root, or no CAP_SYS_ADMIN)');
  const path = `${dir}/outbox.db`;
  // No quota, no floor: only the filesystem limits it, so the write really hits ENOSPC. A small
  // sequence block makes the sequence's own writes happen on the full disk too.
  const box = Outbox.open({ path, quotaMb: 1024, minFreeMb: 0, reserveMb: 2, gatewayId: 'gw-test', maxBufferedReadings: 500, sequenceBlockSize: 1000 });
  t.ok(existsSync(`${path}.reserve`), 'reserve file written');
  const eventIds: string[] = [];
  let n = 0;
  for (; n < 400_000 && !box.stats().storageFault; n++) {
    box.appendReading(reading(box.next(), { value: 'x'.repeat(200) }));
    if (n % 5000 === 0) {
      eventIds.push(`full-${n}`);
      box.appendEvent(fault(box.next(), { id: `full-${n}` }));
    }
  }
  t.ok(box.stats().storageFault, `storage fault raised after ${n} readings`);
  t.ok(box.stats().droppedReadings > 0, 'readings dropped to make room');
  t.notOk(existsSync(`${path}.reserve`), 'the reserve was released');

  // Something else takes whatever room is left: the filesystem stays completely full.
  t.equal(fillUp(dir), 0, 'filesystem full');
  // The gateway keeps running: alarms still go in, readings keep coming (oldest dropped for them).
  for (let i = 0; i < 60_000; i++) {
    box.appendReading(reading(box.next(), { value: 'y'.repeat(200) }));
    if (i % 3000 === 0) {
      box.appendEvent(fireAlarm(box.next(), { id: `after-full-${i}` }));
      eventIds.push(`after-full-${i}`);
    }
  }
  box.flush();
  const s = box.stats();
  t.ok(s.storageFault, 'the fault stays while the disk is full');
  t.ok(s.droppedReadings > 60_000, `readings dropped and counted (${s.droppedReadings})`);
  t.ok(s.depth.telemetry > 1000, `newest readings kept (${s.depth.telemetry})`);
  box.close();

  const db = new Database(path, { readonly: true });
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'file intact');
  db.close();
  const events = storedEvents(path);
  const ids = new Set(events.map((e) => e.id));
  t.same(eventIds.filter((id) => !ids.has(id)), [], `all ${eventIds.length} events stored, none evicted`);
  t.ok(events.some((e) => e.k === 'fault' && e.id.includes('outbox-fault')), 'disk-full fault event stored');
  t.ok(events.some((e) => e.k === 'dropped'), 'dropped readings reported');

  // Still full: the file opens again and takes alarms.
  const again = Outbox.open({ path, quotaMb: 1024, minFreeMb: 0, reserveMb: 2, gatewayId: 'gw-test' });
  again.appendEvent(fireAlarm(again.next(), { id: 'after-reopen' }));
  again.close();
  t.ok(storedEvents(path).some((e) => e.id === 'after-reopen'), 'reopened on the full disk and stored an alarm');
});

t.test('corrupt outbox file: moved aside, reported, a fresh one started', async (t) => {
  const dir = tempDir(t);
  const path = `${dir}/outbox.db`;
  const first = Outbox.open({ path, gatewayId: 'gw-test', minFreeMb: 0 });
  for (let i = 0; i < 10; i++) first.appendEvent(fault(first.next()));
  const lastSeq = first.next();
  first.close();
  // Trash the header: no longer an SQLite database.
  const bytes = Buffer.alloc(4096, 0x5a);
  writeFileSync(path, bytes, { flag: 'r+' });
  const box = Outbox.open({ path, gatewayId: 'gw-test', minFreeMb: 0 });
  t.teardown(() => box.close());
  const aside = readdirSync(dir).filter((f) => f.startsWith('outbox.db.corrupt-'));
  t.ok(aside.length >= 1, `moved aside: ${aside.join(', ')}`);
  const batch = box.nextBatch({ maxReadings: 10, maxBytes: 1 << 20 });
  t.equal(batch?.kind, 'event');
  t.match(batch?.kind === 'event' ? batch.event.message : '', /moved aside/, 'a fault event reports it');
  t.ok(box.next() > lastSeq, 'sequence continues above anything the old file handed out');
});
