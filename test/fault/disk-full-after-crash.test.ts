import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { GatewayEvent } from '../../src/model/event.js';
import { Outbox } from '../../src/outbox/index.js';
import { PAGE_SIZE } from '../../src/outbox/schema.js';
import { sibling } from '../helpers/repo.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { transpileForChild } from './transpile.js';

/** Frames one 32 KiB block of the log's index (-shm) covers (SQLite's wal.c: HASHTABLE_NPAGE_ONE). */
const INDEX_FIRST_BLOCK_FRAMES = 4062;

/**
 * A power cut leaves a write-ahead log file longer than its valid frames; then the disk fills.
 * The index of the log (-shm) is created anew at the next open for the frames found; if the log
 * file already had room past what its first block covers, the commits write their frames without
 * needing a block and then need the index to grow, which on a full disk is SQLITE_IOERR_SHMSIZE:
 * a storage fault instead of the full-disk handling (reserve released, events committed). The
 * open truncates the log (schema.ts, truncateLog), so the log itself runs out of room first.
 */
t.test('a full disk after an unclean stop takes the full-disk path, not a storage fault', async (t) => {
  const fs = mountTmpfs(t, 24 * 1024);
  if (fs === undefined) return t.plan(0, 'skipped: the kernel refused a tmpfs mount here (not root)');
  const path = join(fs.dir, 'outbox.db');
  const child = transpileForChild(sibling(import.meta.url, './wal-restart-child.ts'));
  t.teardown(child.cleanup);
  const proc = spawn(process.execPath, [child.file, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    proc.once('exit', (code) => reject(new Error(`child ended (${code}) before it was ready: ${out}`)));
  });
  proc.kill('SIGKILL');
  await new Promise((resolve) => proc.once('exit', resolve));
  const [stored = 0, longest = 0] = ready.trim().split(' ').slice(1).map(Number);
  // The premise: the log file left behind has room for more frames than the index's first block covers.
  t.ok(statSync(`${path}-wal`).size > INDEX_FIRST_BLOCK_FRAMES * (PAGE_SIZE + 24) || PAGE_SIZE >= 4096, `log file of ${longest} bytes left by the kill (pages of ${PAGE_SIZE})`);

  const notices: GatewayEvent[] = [];
  const box = Outbox.open({ path, gatewayId: 'gw-fault', flushIntervalMs: 5, minFreeMb: 0, reserveMb: 1, writeBehindMs: 0, onNotice: (e) => notices.push(e) });
  t.teardown(() => box.close());
  fs.fill();
  const appended = 3000;
  let failure: unknown;
  for (let i = 0; i < appended && failure === undefined; i++) {
    const seq = box.next();
    try {
      box.appendEvent({ id: `after-${seq}`, kind: 'fault', severity: 'major', gatewayId: 'gw-fault', deviceId: 'rcd-1', message: 'x'.repeat(200), location: { room: '1' }, ts: Date.now(), synced: true, mono: performance.now(), seq });
    } catch (err) {
      failure = err;
    }
  }
  t.equal((failure as { code?: string } | undefined)?.code, undefined, `no storage error (${String((failure as { storageCode?: string } | undefined)?.storageCode ?? '')})`);
  t.ok(notices.some((e) => e.kind === 'fault' && /disk full/.test(e.message)), 'the full-disk handling ran: reserve released, the storage fault raised');
  t.equal(box.stats().depth.events, stored + appended + notices.length, 'every event committed: those of the killed run, these, and the notices');
});
