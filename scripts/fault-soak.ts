// A longer kill -9 soak than the test suite's: `npm run soak -- --iterations 2000`, or
// `node dist/scripts/fault-soak.js --iterations 2000 [--duration 600] [--lanes 4] [--keep]`.
// Each lane is one outbox file; a child (test/fault/ingest-child) appends readings and fire alarms
// as fast as it can and is killed with SIGKILL at a random moment, again and again. Afterwards
// every event a child reported committed must be in its file, and no sequence number may repeat.
// Prints one summary line; exits 1 if anything was lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runAndKill } from '../test/fault/killer.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    duration: { type: 'string' },
    lanes: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const iterations = positive('iterations', values.iterations);
const lanes = positive('lanes', values.lanes);
const deadline = values.duration === undefined ? Infinity : Date.now() + positive('duration', values.duration) * 1000;
const child = fileURLToPath(new URL('../test/fault/ingest-child.js', import.meta.url));

function positive(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`fault-soak: --${name} must be a positive integer, got ${String(raw)}\n`);
    process.exit(64);
  }
  return n;
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-soak-'));
const started = Date.now();
let kills = 0;
const lanesState = Array.from({ length: lanes }, (_, n) => ({ path: join(dir, `outbox-${n}.db`), committed: [] as string[] }));
await Promise.all(
  lanesState.map(async (lane, n) => {
    for (let i = n; i < iterations && Date.now() < deadline; i += lanes) {
      // One kill in five is counted from the spawn and may land in start-up (recovery of the last kill).
      const early = i % 5 === 0;
      lane.committed.push(...(await runAndKill(child, lane.path, Math.floor(Math.random() * (early ? 200 : 60)), !early)));
      kills++;
      if (kills % 100 === 0) process.stderr.write(`fault-soak: ${kills} kills, ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
  }),
);

let committed = 0;
let lost = 0;
let repeatedSeqs = 0;
let rows = 0;
for (const lane of lanesState) {
  const db = new Database(lane.path, { readonly: true });
  const ids = new Set((db.prepare("SELECT payload ->> '$.id' AS id FROM records WHERE kind = 'event'").all() as { id: string }[]).map((r) => r.id));
  const seqs = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d FROM records').get() as { n: number; d: number };
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  if (integrity !== 'ok') {
    process.stderr.write(`fault-soak: ${lane.path}: integrity_check says ${String(integrity)}\n`);
    lost++;
  }
  committed += lane.committed.length;
  lost += lane.committed.filter((id) => !ids.has(id)).length;
  repeatedSeqs += seqs.n - seqs.d;
  rows += seqs.n;
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const ok = lost === 0 && repeatedSeqs === 0;
process.stdout.write(
  `fault-soak: ${ok ? 'PASS' : 'FAIL'} ${kills} kills in ${lanes} lanes, ${committed} committed events, ${lost} lost, ${repeatedSeqs} repeated seqs, ${rows} records on disk, ${seconds} s\n`,
);
if (values.keep) process.stdout.write(`fault-soak: files kept in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
