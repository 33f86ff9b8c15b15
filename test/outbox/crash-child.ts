// Child process for crash.test.ts: commits events, reports each one, then waits to be killed.
import { Outbox } from '../../src/outbox/index.js';
import { fireAlarm, reading } from './fixtures.js';

const path = process.argv[2];
const count = Number(process.argv[3] ?? 1);
if (path === undefined) {
  // Run directly by a test runner that globbed the folder: not a test, nothing to do.
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
// A long flush interval: buffered readings are NOT committed before the kill.
const box = Outbox.open({ path, flushIntervalMs: 60_000 });
for (let i = 0; i < count; i++) {
  const seq = box.next();
  box.appendEvent(fireAlarm(seq, { id: `crash-${seq}` }));
  process.stdout.write(`committed ${seq}\n`);
}
box.appendReading(reading(box.next()));
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
