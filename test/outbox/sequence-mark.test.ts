import { existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { GatewayEvent } from '../../src/model/event.js';
import { Outbox } from '../../src/outbox/index.js';
import { SEQUENCE_MARK_FILE, SequenceMarkFile, parseMark } from '../../src/outbox/sequence-mark.js';
import { noopLogger } from '../../src/outbox/logger.js';
import { FaultLog, store } from './resilient-fixtures.js';
import { reading, tempDir } from './fixtures.js';

/** A state folder and an outbox path in another folder (the outbox may live elsewhere). */
function site(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t, 'hearth-seqmark-');
  return { stateDir: join(root, 'state'), path: join(root, 'data', 'outbox.db'), markFile: join(root, 'state', SEQUENCE_MARK_FILE) };
}

/** Opens the resilient store with the mark in `stateDir`; hands out `n` numbers; returns the highest. */
function issue(t: Parameters<typeof tempDir>[0], s: ReturnType<typeof site>, n: number, blockSize = 100): number {
  const { s: box } = store(t, s.path, { stateDir: s.stateDir, outbox: { sequenceBlockSize: blockSize } });
  box.start();
  let last = 0;
  for (let i = 0; i < n; i++) {
    last = box.next();
    box.appendReading(reading(last));
  }
  box.close();
  return last;
}

/** Every event waiting in the file, in send order. */
function storedEvents(box: Outbox): GatewayEvent[] {
  const out: GatewayEvent[] = [];
  for (;;) {
    const b = box.nextBatch({ maxReadings: 1000, maxBytes: 1e7 });
    if (b === undefined || b.kind !== 'event') return out;
    out.push(b.event);
  }
}

t.test('a fresh outbox (new path) continues above every number the gateway handed out', async (t) => {
  const s = site(t);
  const last = issue(t, s, 250);
  t.equal(parseMark(readFileSync(s.markFile, 'utf8')), 300, 'the mark is the end of the last block reserved');
  const notices: GatewayEvent[] = [];
  const moved = { ...s, path: join(s.path, '..', 'elsewhere', 'outbox.db') };
  const { s: box } = store(t, moved.path, { stateDir: s.stateDir, onNotice: (e) => notices.push(e) });
  box.start();
  const next = box.next();
  t.ok(next > last, `continues above ${last}: ${next}`);
  t.ok(next > 300, 'and above the whole reserved block');
  t.equal(notices.length, 1, 'the replacement is said');
  t.equal(notices[0]?.point, 'outbox-replaced');
  t.match(notices[0]?.message, /was missing and this gateway had handed out sequence numbers up to 300/);
});

for (const damage of ['truncated to 0 bytes', 'deleted'] as const) {
  t.test(`an outbox ${damage}: the sequence continues, a fault is raised and stored for the platform`, async (t) => {
    const s = site(t);
    const last = issue(t, s, 120);
    for (const suffix of ['-wal', '-shm']) rmSync(s.path + suffix, { force: true });
    if (damage === 'deleted') rmSync(s.path);
    else truncateSync(s.path, 0);

    const notices: GatewayEvent[] = [];
    const { s: box, faults } = store(t, s.path, { stateDir: s.stateDir, onNotice: (e) => notices.push(e) });
    box.start();
    t.equal(box.health().ok, true, 'not a storage fault: the gateway runs on the fresh file');
    const next = box.next();
    t.ok(next > last, `no number is handed out twice: ${next} > ${last}`);
    const fault = notices.find((e) => e.point === 'outbox-replaced');
    t.ok(fault, 'a fault event told the desk');
    t.equal(fault?.kind, 'fault');
    t.equal(fault?.severity, 'major');
    t.match(fault?.message, damage === 'deleted' ? /was missing/ : /was empty \(0 bytes\)/);
    t.ok((fault?.seq ?? 0) > last, 'the fault event itself has a fresh number');
    t.same(faults.log, [], 'no storage fault, no state-file fault');
    const stored = storedEvents(box.current()!);
    t.same(
      stored.map((e) => e.id),
      [fault?.id],
      'the fault event is in the fresh file, waiting for the platform',
    );
  });
}

t.test('an outbox deleted while the gateway is down and the mark lost too: a 0-byte file still raises the fault', async (t) => {
  const s = site(t);
  issue(t, s, 10);
  for (const suffix of ['-wal', '-shm']) rmSync(s.path + suffix, { force: true });
  truncateSync(s.path, 0);
  rmSync(s.markFile);
  const notices: GatewayEvent[] = [];
  const { s: box } = store(t, s.path, { stateDir: s.stateDir, onNotice: (e) => notices.push(e) });
  box.start();
  const next = box.next();
  t.ok(next > Date.UTC(2026, 5, 1) * 1000, 'continues above the wall clock in microseconds');
  t.match(notices.find((e) => e.point === 'outbox-replaced')?.message, /sequence mark is lost too/);
});

t.test('a first start (no mark, no file) is not a replacement', async (t) => {
  const s = site(t);
  const notices: GatewayEvent[] = [];
  const { s: box, faults } = store(t, s.path, { stateDir: s.stateDir, onNotice: (e) => notices.push(e) });
  box.start();
  t.equal(box.next(), 1);
  t.same(notices, []);
  t.same(faults.log, []);
});

t.test('the mark is written once per block, never per record', async (t) => {
  const s = site(t);
  const written: number[] = [];
  const mark = new SequenceMarkFile(s.markFile, { faults: new FaultLog(), logger: noopLogger, write: (_p, text) => written.push(parseMark(text)!) });
  const box = Outbox.open({ path: s.path, sequenceBlockSize: 100, sequenceMark: mark, reserveMb: 0, minFreeMb: 0 });
  t.teardown(() => box.close());
  for (let i = 0; i < 1000; i++) box.appendReading(reading(box.next()));
  t.same(written, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], '1000 numbers, blocks of 100: 10 writes');
  t.equal(mark.writeCount(), 10);
});

t.test('a garbage mark falls back to the outbox file, is moved aside with a minor fault, and rewritten', async (t) => {
  const s = site(t);
  const last = issue(t, s, 150);
  writeFileSync(s.markFile, 'not json at all');
  const { s: box, faults } = store(t, s.path, { stateDir: s.stateDir, outbox: { sequenceBlockSize: 100 } });
  box.start();
  t.ok(box.next() > last, 'the outbox file\'s own mark holds');
  t.same(faults.log, ['raise state:outbox-sequence.json', 'clear state:outbox-sequence.json'], 'minor fault, cleared once the mark is written again');
  t.equal(parseMark(readFileSync(s.markFile, 'utf8')), 300, "rewritten from the file's mark (and the block just reserved)");
  t.ok(readdirSync(s.stateDir).some((f) => f.startsWith(`${SEQUENCE_MARK_FILE}.unreadable-`)), 'the garbage is kept aside');
});

t.test('a missing mark with a good outbox: the file\'s counter, written back without a fault', async (t) => {
  const s = site(t);
  const last = issue(t, s, 150);
  rmSync(s.markFile);
  const { s: box, faults } = store(t, s.path, { stateDir: s.stateDir });
  box.start();
  t.equal(parseMark(readFileSync(s.markFile, 'utf8')), 200, 'brought up to the file\'s mark at open');
  t.ok(box.next() > last);
  t.same(faults.log, []);
});

t.test('a mark that cannot be written is a minor fault; numbers keep coming', async (t) => {
  const s = site(t);
  const faults = new FaultLog();
  const mark = new SequenceMarkFile(s.markFile, {
    faults,
    logger: noopLogger,
    write: () => {
      throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
    },
  });
  const box = Outbox.open({ path: s.path, sequenceBlockSize: 10, sequenceMark: mark, reserveMb: 0, minFreeMb: 0 });
  t.teardown(() => box.close());
  const seqs = Array.from({ length: 25 }, () => box.next());
  t.same(seqs, Array.from({ length: 25 }, (_, i) => i + 1));
  t.same(faults.log, ['raise state:outbox-sequence.json']);
  t.notOk(existsSync(s.markFile));
});

t.test('numbers handed out during a storage fault are reserved in the mark too', async (t) => {
  const s = site(t);
  const { s: box } = store(t, s.path, { stateDir: s.stateDir, outbox: { sequenceBlockSize: 100 } });
  box.start();
  box.next();
  // The file goes away under the running gateway; its handle fails at the next write.
  box.current()!.close();
  let last = 0;
  for (let i = 0; i < 250; i++) last = box.next();
  t.equal(box.health().ok, false, 'in a storage fault: numbers come from memory');
  t.ok((parseMark(readFileSync(s.markFile, 'utf8')) ?? 0) >= last, `the mark (${readFileSync(s.markFile, 'utf8').trim()}) covers ${last}`);
});

t.test('a file of another gateway (no sequence state) in place of ours is a replacement too', async (t) => {
  const s = site(t);
  const last = issue(t, s, 50);
  for (const suffix of ['', '-wal', '-shm']) rmSync(s.path + suffix, { force: true });
  Outbox.open({ path: s.path, reserveMb: 0, minFreeMb: 0 }).close(); // a valid outbox that never handed out a number
  const notices: GatewayEvent[] = [];
  const { s: box } = store(t, s.path, { stateDir: s.stateDir, onNotice: (e) => notices.push(e) });
  box.start();
  t.ok(box.next() > last);
  t.match(notices.find((e) => e.point === 'outbox-replaced')?.message, /without sequence state/);
});

t.test('a corrupt file moved aside: the move is reported, not a replacement; the sequence stays above the mark', async (t) => {
  const s = site(t);
  const last = issue(t, s, 50);
  for (const suffix of ['-wal', '-shm']) rmSync(s.path + suffix, { force: true });
  writeFileSync(s.path, 'this is not a database, and it is long enough to be taken for a file header'.repeat(100));
  const notices: GatewayEvent[] = [];
  const { s: box } = store(t, s.path, { stateDir: s.stateDir, onNotice: (e) => notices.push(e) });
  box.start();
  t.ok(box.next() > last);
  t.same(
    notices.map((e) => e.point),
    ['storage'],
    'one fault: the file moved aside',
  );
});

t.test('a failing mark write is not retried by the fault event its own failure raises (no storm of fault events)', async (t) => {
  const dir = tempDir(t);
  let attempts = 0;
  let raised = 0;
  // Raising the fault appends a fault event, which takes a number and asks for the same mark again.
  let mark!: SequenceMarkFile;
  const faults = {
    raise: () => {
      raised++;
      if (raised < 100) mark.reserve(1000);
    },
    clear: () => undefined,
    active: () => false,
  };
  mark = new SequenceMarkFile(join(dir, SEQUENCE_MARK_FILE), {
    faults,
    logger: noopLogger,
    write: () => {
      attempts++;
      throw Object.assign(new Error('read-only'), { code: 'EROFS' });
    },
  });
  mark.reserve(1000);
  for (let i = 0; i < 50; i++) mark.reserve(1000);
  t.equal(attempts, 1, 'one write attempt for the block');
  t.equal(raised, 1, 'one fault');
  mark.reserve(2000);
  t.equal(attempts, 2, 'the next block tries again');
});
