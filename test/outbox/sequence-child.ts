// Child process for sequence-crash.test.ts: hands out sequence numbers and commits records as fast
// as it can, reporting each number, until it is killed.
import { join } from 'node:path';
import { Outbox } from '../../src/outbox/index.js';
import { noopLogger } from '../../src/outbox/logger.js';
import { SEQUENCE_MARK_FILE, SequenceMarkFile } from '../../src/outbox/sequence-mark.js';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { fireAlarm, reading } from './fixtures.js';

const path = process.argv[2];
const stateDir = process.argv[3];
if (path === undefined || stateDir === undefined) {
  // Run directly by a test runner that globbed the folder: not a test, nothing to do.
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const sequenceMark = new SequenceMarkFile(join(stateDir, SEQUENCE_MARK_FILE), { faults: ignoreFaults, logger: noopLogger });
// Small blocks: the kill lands among block reservations, not only between them.
const box = Outbox.open({ path, sequenceMark, sequenceBlockSize: 7, flushIntervalMs: 5, reserveMb: 0, minFreeMb: 0 });
let i = 0;
function burst(): void {
  for (let n = 0; n < 20; n++, i++) {
    const seq = box.next();
    process.stdout.write(`issued ${seq}\n`);
    if (i % 10 === 0) box.appendEvent(fireAlarm(seq, { id: `crash-${seq}` }));
    else box.appendReading(reading(seq));
  }
  setImmediate(burst);
}
burst();
