import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SystemClock } from '../../src/clock/clock.js';

t.test("an unsynchronized gateway takes a centre's time, the system clock takes over once it is synchronized", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-clock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const flag = join(dir, 'synchronized');
  const clock = new SystemClock('auto', flag);
  t.notOk(clock.synced(), 'no flag file: not synchronized');
  const centre = Date.now() + 3_600_000; // the gateway's clock is an hour behind
  const adopted = clock.adopt(centre);
  t.equal(adopted.applied, true);
  t.ok(Math.abs(adopted.offsetMs - 3_600_000) < 1000, `offset reported (${adopted.offsetMs} ms)`);
  t.ok(clock.synced(), 'synchronized from the centre');
  t.ok(Math.abs(clock.now() - (Date.now() + 3_600_000)) < 1000, "now() is the centre's time");
  writeFileSync(flag, '');
  await new Promise((r) => setTimeout(r, 1100)); // the flag file is looked at once a second
  t.ok(Math.abs(clock.now() - Date.now()) < 1000, 'the system clock synchronized: its time again');
  const again = clock.adopt(Date.now() + 5000);
  t.equal(again.applied, false, 'a centre does not override a synchronized system clock');
  t.ok(Math.abs(again.offsetMs - 5000) < 1000, 'the difference is still reported');
});

t.test("'assume-synced' never adopts; 'never' always does", async (t) => {
  t.equal(new SystemClock('assume-synced').adopt(Date.now() + 1000).applied, false);
  const never = new SystemClock('never');
  t.equal(never.adopt(Date.now() + 1000).applied, true);
  t.ok(never.synced());
});
