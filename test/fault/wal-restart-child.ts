// Child process for disk-full-after-crash.test.ts: opens an outbox and commits events until its
// write-ahead log was checkpointed and rewritten from its start at least once (the log file then
// keeps the size of the longest log, longer than its valid frames), reports `ready` and waits for
// the parent's SIGKILL: the log an unclean stop leaves behind.
import { statSync } from 'node:fs';
import { Outbox } from '../../src/outbox/index.js';

const path = process.argv[2];
if (path === undefined) {
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const box = Outbox.open({ path, flushIntervalMs: 5, gatewayId: 'gw-fault', minFreeMb: 0, reserveMb: 0, writeBehindMs: 0 });
const logBytes = (): number => statSync(`${path}-wal`).size;
let longest = 0;
let seq = 0;
// Until the log stopped growing for a while after having been long: it was checkpointed and is being rewritten.
for (let sinceGrowth = 0; sinceGrowth < 400 && seq < 20_000; ) {
  seq = box.next();
  box.appendEvent({ id: `ev-${seq}`, kind: 'fault', severity: 'major', gatewayId: 'gw-fault', deviceId: 'rcd-1', message: 'x'.repeat(200), location: { room: '1' }, ts: Date.now(), synced: true, mono: performance.now(), seq });
  const size = logBytes();
  if (size > longest) {
    longest = size;
    sinceGrowth = 0;
  } else if (longest > 1 << 20) sinceGrowth++;
}
process.stdout.write(`ready ${seq} ${longest}\n`);
setInterval(() => undefined, 60_000);
