import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import type { GatewayEvent } from '../../src/model/event.js';
import { Outbox } from '../../src/outbox/index.js';
import { transpileForChild } from './transpile.js';
import { sibling } from '../helpers/repo.js';

/** The write-behind window of the child, and how late a spill may come on a loaded machine. */
const WINDOW_MS = 500;
const SLACK_MS = 1500;
const ITERATIONS = Number(process.env.HEARTH_KILL_WB_ITERATIONS ?? 8);

interface Run {
  committed: string[];
  appended: Map<number, number>;
  killedAt: number;
}

/** Runs the child until a random moment 1.5-3 s into ingest, then SIGKILL. */
async function runAndKill(childJs: string, path: string): Promise<Run> {
  const child = spawn(process.execPath, [childJs, path, String(WINDOW_MS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let killedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    timer ??= out.startsWith('ready\n') ? setTimeout(() => ((killedAt = Date.now()), child.kill('SIGKILL')), 1500 + Math.random() * 1500) : undefined;
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
  clearTimeout(timer);
  await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.once('close', () => resolve())));
  if (signal !== 'SIGKILL') throw new Error(`child ended by itself: ${err.slice(-2000)}`);
  const appended = new Map<number, number>();
  for (const m of out.matchAll(/^appended (\d+) (\d+)\n/gm)) appended.set(Number(m[1]), Number(m[2]));
  return { committed: [...out.matchAll(/^committed (\S+)\n/gm)].map((m) => m[1]!), appended, killedAt };
}

t.test(`kill -9 with write-behind (${ITERATIONS} times): no committed event lost; readings lost only inside the window, and reported at the next open`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-kill9-wb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = transpileForChild(sibling(import.meta.url, './write-behind-child.ts'));
  t.teardown(child.cleanup);
  const lanes = [0, 1].map((n) => join(dir, `outbox-${n}.db`));
  const results = await Promise.all(
    lanes.map(async (path, n) => {
      let lostTotal = 0;
      for (let i = n; i < ITERATIONS; i += lanes.length) {
        const run = await runAndKill(child.file, path);
        t.ok(run.appended.size > 50, `the child appended ${run.appended.size} readings before the kill`);
        // What the kill left, straight from the file (write-ahead log included).
        const db = new Database(path, { readonly: true });
        const events = new Set((db.prepare("SELECT payload ->> '$.id' FROM records WHERE kind = 'event'").pluck().all() as string[]));
        const stored = new Set(db.prepare("SELECT seq FROM records WHERE kind = 'reading'").pluck().all() as number[]);
        const seqs = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d FROM records').get() as { n: number; d: number };
        db.close();
        t.same(run.committed.filter((id) => !events.has(id)), [], 'every committed event is in the file');
        t.equal(seqs.d, seqs.n, 'sequence numbers are unique across kills');
        const lost = [...run.appended].filter(([seq]) => !stored.has(seq));
        const early = lost.filter(([, ts]) => ts < run.killedAt - WINDOW_MS - SLACK_MS);
        t.same(early, [], `${lost.length} readings lost, all taken within the window before the kill`);
        lostTotal += lost.length;
        // The next open (recovery) reports the loss; the file is left for the next child.
        const notices: GatewayEvent[] = [];
        const box = Outbox.open({ path, gatewayId: 'gw-fault', minFreeMb: 0, reserveMb: 0, onNotice: (e) => notices.push(e) });
        box.close();
        const report = notices.find((e) => e.kind === 'dropped' && e.point === 'write-behind');
        if (lost.length > 0) t.ok(report !== undefined && Number(report.value) > 0, `reported at the next open: ${report?.message ?? 'nothing'}`);
      }
      return lostTotal;
    }),
  );
  t.ok(results.reduce((a, b) => a + b, 0) > 0, 'readings in memory were lost to the kills (the test kills inside the window)');
});
