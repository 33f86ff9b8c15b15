import { spawn } from 'node:child_process';
import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { Outbox } from '../../src/outbox/index.js';
import { noopLogger } from '../../src/outbox/logger.js';
import { SEQUENCE_MARK_FILE, SequenceMarkFile } from '../../src/outbox/sequence-mark.js';
import { tempDir } from './fixtures.js';
import { sibling } from '../helpers/repo.js';
import { nodeArgsFor } from '../helpers/node-entry.js';

const CHILD = sibling(import.meta.url, './sequence-child.ts');

/** Runs the child until it reported `atLeast` numbers, then kill -9; returns every number it reported. */
async function runAndKill(path: string, stateDir: string, atLeast: number): Promise<number[]> {
  // Same loader flags as this process, so the child runs the TypeScript sources too.
  const child = spawn(process.execPath, [...nodeArgsFor(CHILD), path, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.length > atLeast * 12) resolve();
    });
    child.once('exit', () => reject(new Error(`child exited early: ${err}`)));
  });
  child.kill('SIGKILL');
  await exited;
  // Only whole lines: the kill may cut the last one.
  return [...out.matchAll(/^issued (\d+)$/gm)].map((m) => Number(m[1]));
}

for (const damage of ['kept', 'deleted', 'truncated to 0 bytes'] as const) {
  t.test(`kill -9 while records are written, outbox ${damage}: the restarted sequence is above every number handed out`, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'data', 'outbox.db');
    const stateDir = join(dir, 'state');
    let everIssued = 0;
    // Two crashes in a row: each restart continues above all of them.
    for (let round = 0; round < 2; round++) {
      const issued = await runAndKill(path, stateDir, 300);
      t.ok(issued.length >= 100, `round ${round}: the child handed out ${issued.length} numbers before the kill`);
      t.ok(Math.min(...issued) > everIssued, `round ${round}: started above every number of the earlier rounds`);
      everIssued = Math.max(everIssued, ...issued);
      for (const suffix of ['-wal', '-shm']) if (damage !== 'kept') rmSync(path + suffix, { force: true });
      if (damage === 'deleted') rmSync(path, { force: true });
      if (damage === 'truncated to 0 bytes') truncateSync(path, 0);
    }
    const sequenceMark = new SequenceMarkFile(join(stateDir, SEQUENCE_MARK_FILE), { faults: ignoreFaults, logger: noopLogger });
    const box = Outbox.open({ path, sequenceMark, sequenceBlockSize: 7, reserveMb: 0, minFreeMb: 0 });
    t.teardown(() => box.close());
    const next = box.next();
    t.ok(next > everIssued, `after the last crash: ${next} > ${everIssued}`);
  });
}
