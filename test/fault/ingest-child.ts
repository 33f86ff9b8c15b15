// Child process for kill9.test.ts and scripts/fault-soak.ts: opens the outbox (recovering from the
// previous kill), then appends events and readings as fast as it can, reporting every event whose
// appendEvent() returned. The parent kills it with SIGKILL at a random moment.
import { Outbox } from '../../src/outbox/index.js';

const path = process.argv[2];
if (path === undefined) {
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const box = Outbox.open({ path, flushIntervalMs: 5, gatewayId: 'gw-fault', minFreeMb: 0, reserveMb: 0 });
process.stdout.write('ready\n');
let n = 0;
const tick = (): void => {
  for (let i = 0; i < 20; i++) {
    const seq = box.next();
    box.appendReading({ gatewayId: 'gw-fault', deviceId: 'rcd-1', point: 'leakage', value: n++ % 500, unit: 'mA', quality: 'good', ts: Date.now(), synced: true, mono: performance.now(), seq });
  }
  const seq = box.next();
  const id = `kill-${process.pid}-${seq}`;
  box.appendEvent({ id, kind: 'alarm', severity: 'fire', gatewayId: 'gw-fault', deviceId: 'smoke-1', message: 'smoke', location: { room: '1' }, ts: Date.now(), synced: true, mono: performance.now(), seq });
  process.stdout.write(`committed ${id}\n`);
  setImmediate(tick);
};
tick();
