// Child process for kill9-write-behind.test.ts: opens the outbox with write-behind (recovering
// from the previous kill), then appends readings at a steady pace and an event every 20 readings,
// reporting each reading (`appended <seq> <ts>`) and each event once appendEvent returned
// (`committed <id>`). Nothing leases: no uplink, so every reading waits for the spill. The parent
// kills it with SIGKILL at a random moment.
import { Outbox } from '../../src/outbox/index.js';

const path = process.argv[2];
const windowMs = Number(process.argv[3] ?? 500);
if (path === undefined) {
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const box = Outbox.open({ path, writeBehindMs: windowMs, flushIntervalMs: 5, gatewayId: 'gw-fault', minFreeMb: 0, reserveMb: 0 });
process.stdout.write('ready\n');
let n = 0;
setInterval(() => {
  let out = '';
  for (let i = 0; i < 5; i++) {
    const seq = box.next();
    const ts = Date.now();
    box.appendReading({ gatewayId: 'gw-fault', deviceId: 'rcd-1', point: 'leakage', value: n % 500, unit: 'mA', quality: 'good', ts, synced: true, mono: performance.now(), seq });
    out += `appended ${seq} ${ts}\n`;
    if (++n % 20 === 0) {
      const eseq = box.next();
      const id = `wb-${process.pid}-${eseq}`;
      box.appendEvent({ id, kind: 'alarm', severity: 'fire', gatewayId: 'gw-fault', deviceId: 'smoke-1', message: 'smoke', location: { room: '1' }, ts: Date.now(), synced: true, mono: performance.now(), seq: eseq });
      out += `committed ${id}\n`;
    }
  }
  process.stdout.write(out);
}, 5);
