import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { tempDir } from './fixtures.js';
import { sibling } from '../helpers/repo.js';
import { nodeArgsFor } from '../helpers/node-entry.js';

const CHILD = sibling(import.meta.url, './crash-child.ts');

/** Runs the child until it printed `ready`, then kill -9; returns the seqs it reported committed. */
async function runAndKill(path: string, count: number): Promise<{ committed: number[]; signal: string | null }> {
  // Same loader flags as this process, so the child runs the TypeScript sources too.
  const child = spawn(process.execPath, [...nodeArgsFor(CHILD), path, String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`child exited early: ${err}`)));
  });
  child.kill('SIGKILL');
  const signal = await exited;
  return { committed: [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])), signal };
}

t.test('an event is in the file once appendEvent returned, even after kill -9', async (t) => {
  const path = join(tempDir(t), 'outbox.db');
  // kill -9 ends the process between two statements; it cannot show power-loss durability (that
  // is synchronous=FULL's job) but it proves nothing is held back in memory after appendEvent.
  const { committed, signal } = await runAndKill(path, 3);
  t.equal(signal, 'SIGKILL');
  t.equal(committed.length, 3);

  const box = Outbox.open({ path });
  t.teardown(() => box.close());
  const found: number[] = [];
  for (;;) {
    const b = box.nextBatch({ maxReadings: 100, maxBytes: 1e6 });
    if (b === undefined || b.kind !== 'event') break;
    found.push(b.event.seq);
  }
  t.same(found, committed, 'every reported event survived the crash');
  t.ok(box.next() > Math.max(...committed) + 1, 'the sequence does not reuse numbers handed out before the crash');
});
