import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { MonitoringCentreSim } from '../../src/sim/monitoring-centre.js';
import type { UnitOf } from '../../src/uplink/gbt26875/index.js';
import { waitFor } from '../helpers/net.js';
import { tempDir } from '../outbox/fixtures.js';
import { sibling } from '../helpers/repo.js';
import { nodeArgsFor } from '../helpers/node-entry.js';

const CHILD = sibling(import.meta.url, './kill-child.ts');

function run(path: string, port: number, append: boolean): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgsFor(CHILD), path, String(port), append ? 'append' : ''], { stdio: ['ignore', 'pipe', 'inherit'] });
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

t.test('kill -9 while a fire alarm waits for the centre\'s confirm: sent again after the restart, with the same serial number, then delivered', async (t) => {
  const sim = await MonitoringCentreSim.start({ mode: 'drop' });
  t.teardown(() => sim.close());
  const path = join(tempDir(t), 'outbox.db');

  const first = run(path, sim.port, true);
  t.teardown(() => first.kill('SIGKILL'));
  const sent = await sim.waitFor((r) => r.unit?.type === 2, 20_000, 'the fire alarm, first send');
  t.ok((sent.unit as UnitOf<2>).components[0]!.status.fire);
  first.kill('SIGKILL'); // during the send: the frame is out, its confirm never came
  await exited(first);

  sim.setMode('confirm');
  const second = run(path, sim.port, false);
  t.teardown(() => second.kill('SIGKILL'));
  const again = await sim.waitFor((r) => r.unit?.type === 2 && r !== sent, 20_000, 'the fire alarm after the restart');
  t.equal(again.frame.serial, sent.frame.serial, `the same serial number (${sent.frame.serial})`);
  t.ok(again.resend, 'the centre sees the same serial number and data: a resend, not a new alarm');
  t.same(again.frame.data, sent.frame.data, 'the same application data');

  // Confirmed now: the centre's bit leaves the row; the platform (not connected here) still waits.
  await waitFor(() => {
    const db = new Database(path, { readonly: true });
    try {
      const row = db.prepare("SELECT pending FROM records WHERE kind = 'event'").get() as { pending: number } | undefined;
      return row !== undefined && (row.pending & 2) === 0;
    } finally {
      db.close();
    }
  }, 10_000);
  t.pass("delivered: the centre's part of the record is gone from the outbox");
  second.kill('SIGTERM');
  await exited(second);
});
