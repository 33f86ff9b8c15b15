import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Subscriber, platform } from '../uplink/harness.js';
import { runAndKill } from './killer.js';
import { transpileForChild } from './transpile.js';
import { sibling } from '../helpers/repo.js';

const ITERATIONS = Number(process.env.HEARTH_KILL_ITERATIONS ?? 200);

t.test(`kill -9 at random moments during ingest (${ITERATIONS} times): every committed event is kept and delivered`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-kill9-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = transpileForChild(sibling(import.meta.url, './ingest-child.ts'));
  t.teardown(child.cleanup);
  // Four lanes, each its own outbox file, run side by side to keep the suite short.
  const lanes = [0, 1, 2, 3].map((n) => ({ path: join(dir, `outbox-${n}.db`), committed: [] as string[] }));
  await Promise.all(
    lanes.map(async (lane, n) => {
      for (let i = n; i < ITERATIONS; i += lanes.length) {
        // One kill in five counts from the spawn and may land during start-up (recovery of the
        // previous kill); the others land 0-60 ms into ingest.
        const early = i % 5 === 0;
        lane.committed.push(...(await runAndKill(child.file, lane.path, Math.floor(Math.random() * (early ? 200 : 60)), !early)));
      }
    }),
  );
  const committed = lanes.flatMap((l) => l.committed);
  t.ok(committed.length > ITERATIONS, `children reported ${committed.length} committed events`);

  for (const lane of lanes) {
    // Straight from the file: every reported event is there, no sequence number was used twice.
    const db = new Database(lane.path, { readonly: true });
    const ids = new Set((db.prepare("SELECT payload ->> '$.id' AS id FROM records WHERE kind = 'event'").all() as { id: string }[]).map((r) => r.id));
    const seqs = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d FROM records').get() as { n: number; d: number };
    db.close();
    t.same(lane.committed.filter((id) => !ids.has(id)), [], `${lane.path}: no committed event lost`);
    t.equal(seqs.d, seqs.n, 'sequence numbers are unique across kills');
  }

  // Then through a real broker.
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, 'hearth/v1/gw-fault/events/#');
  t.teardown(() => sub.close());
  for (const lane of lanes) {
    const box = Outbox.open({ path: lane.path, gatewayId: 'gw-fault' });
    const session = new UplinkSession({ platform: platform(broker.url, { batchMaxReadings: 500, inflightWindow: 16 }), gatewayId: 'gw-fault', outbox: box });
    t.teardown(async () => {
      await session.stop();
      box.close();
    });
    session.start();
  }
  const want = new Set(committed);
  await sub.waitFor((s) => {
    for (const m of s.messages) want.delete(m.body.id as string);
    return want.size === 0;
  }, 90_000);
  t.equal(want.size, 0, 'every committed event delivered to Mosquitto');
});
