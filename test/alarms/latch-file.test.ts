import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LATCH_FILE, latchFile } from '../../src/alarms/latch-file.js';
import type { FaultReporter } from '../../src/faults/gateway-faults.js';
import { silentLogger } from '../../src/log/logger.js';
import { waitFor } from '../helpers/net.js';
import { event } from './rig.js';

/**
 * The latch file is written after the turn in which the desk saved (src/alarms/latch-file.ts): not
 * while the alarm that changed it is still on its way to the outbox. The save is taken when it is
 * made, later changes to the conditions do not leak into it, a turn's saves are one write, and
 * close() writes what is still waiting.
 */

const noFaults: FaultReporter = { raise: () => {}, clear: () => {}, active: () => false };

function rig(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-latches-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, LATCH_FILE);
  const ids = (): string[] => (JSON.parse(readFileSync(file, 'utf8')) as { latched: { event: { id: string } }[] }).latched.map((c) => c.event.id);
  return { dir, file, ids };
}

t.test('written after the turn, as saved, once for the saves of one turn', async (t) => {
  const { dir, file, ids } = rig(t);
  const store = latchFile(dir, noFaults, silentLogger());
  t.teardown(() => store.close());
  const a = { event: event('alarm', { id: 'a' }), clearedAt: 1 };
  const b = { event: event('alarm', { id: 'b' }), clearedAt: 2 };
  const latched = [a];
  store.save(latched);
  latched.push(b); // the desk's list moves on; the save was of [a]
  t.notOk(existsSync(file), 'nothing written in the turn of the save');
  await new Promise((r) => setImmediate(r));
  await waitFor(() => existsSync(file), 5000);
  t.same(ids(), ['a'], 'the list as it was when saved');

  store.save([a, b]);
  store.save([b]);
  await new Promise((r) => setImmediate(r));
  await waitFor(() => ids().length === 1 && ids()[0] === 'b', 5000);
  t.same(ids(), ['b'], 'the last save of the turn');
  t.same(store.load().map((c) => c.event.id), ['b'], 'and what the next start loads');
});

t.test('close() writes a save still waiting for its turn', async (t) => {
  const { dir, ids } = rig(t);
  const store = latchFile(dir, noFaults, silentLogger());
  store.save([{ event: event('alarm', { id: 'late' }), clearedAt: 3 }]);
  await store.close();
  t.same(ids(), ['late']);
  const again = latchFile(dir, noFaults, silentLogger());
  t.same(again.load().map((c) => c.event.id), ['late'], 'a restart finds it');
  await again.close();
});
