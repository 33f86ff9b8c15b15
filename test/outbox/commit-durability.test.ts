import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import type { OutboxOptions } from '../../src/outbox/outbox.js';
import { waitFor } from '../helpers/net.js';
import { drainAll, fault, fireAlarm, tempDir, GATEWAY } from './fixtures.js';


function open(path: string, seen: string[], extra: Partial<OutboxOptions> = {}): Outbox {
  return Outbox.open({
    path,
    gatewayId: GATEWAY,
    reserveMb: 0,
    minFreeMb: 0,
    flushIntervalMs: 5,
    onCommit: (kind, synchronous) => seen.push(`${kind}:${synchronous}`),
    ...extra,
  });
}

function rowsIn(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM records').pluck().get() as number;
  } finally {
    db.close();
  }
}

// A lost deletion is a record sent again (a duplicate the platform recognises), never a loss: the
// commit that carries only confirmations of delivered events needs no fsync.
for (const writeBehindMs of [60_000, 0]) {
  t.test(`writeBehindMs ${writeBehindMs}: deleting delivered events commits at NORMAL, the events themselves at FULL`, async (t) => {
    const path = join(tempDir(t), 'outbox.db');
    const seen: string[] = [];
    const box = open(path, seen, { writeBehindMs });
    t.teardown(() => box.close());
    box.appendEvent(fireAlarm(box.next(), { id: 'a-1' }));
    box.appendEvent(fault(box.next(), { id: 'f-2' }));
    t.same(seen, ['events:2', 'events:2'], 'each event at FULL before appendEvent returned');
    box.delivered(drainAll(box).ids);
    // Write-through: the group-commit timer applies the confirmations within flushIntervalMs.
    if (writeBehindMs === 0) await waitFor(() => seen.length === 3, 5000);
    else box.flush();
    t.same(seen, ['events:2', 'events:2', 'readings:1'], 'the confirmations alone: NORMAL (1), no fsync');
    t.equal(rowsIn(path), 0, 'both rows deleted');
    // An event appended while confirmations wait does not take them along, and stays at FULL.
    box.appendEvent(fireAlarm(box.next(), { id: 'a-3' }));
    box.delivered(drainAll(box).ids);
    box.appendEvent(fault(box.next(), { id: 'f-4' }));
    t.same(seen.slice(3), ['events:2', 'events:2'], 'the next events at FULL, each in a commit of its own kind');
    t.equal(rowsIn(path), 2, 'the delivered alarm is not deleted by the event commit');
  });
}

t.test('events raised together are committed in one FULL commit before appendEvents returns', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  const seen: string[] = [];
  const box = open(path, seen, { writeBehindMs: 60_000 });
  t.teardown(() => box.close());
  box.appendEvents([fireAlarm(box.next(), { id: 'a-1' }), fault(box.next(), { id: 'f-2' }), fault(box.next(), { id: 'f-3' })]);
  t.same(seen, ['events:2'], 'one commit, at FULL, for the three');
  t.equal(rowsIn(path), 3, 'all three in the file, read through a connection of its own, once it returned');
  t.same(drainAll(box).what, ['a-1', 'f-2', 'f-3'], 'sent in priority, then append, order');
});
