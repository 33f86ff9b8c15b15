import { rmSync, writeFileSync } from 'node:fs';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { OutboxStorageError } from '../../src/outbox/errors.js';
import { startBenchGateway } from './lib/bench-gateway.js';
import { percentile, sleep } from './lib/stats.js';
import type { Report } from './run.js';

/**
 * Detector change → sounder output, through the real gateway (driver, runtime, rules, alarm desk,
 * local actions, outputs) with the detector on a simulated bus and the siren on the GPIO
 * simulator. "Beyond the poll" is the time from the bus reply that carried the alarm bit to the
 * siren's line being driven: what the gateway adds after the field told it. Measured twice: with a
 * healthy outbox, and with an outbox whose every write fails (a storage fault: the desk must not
 * care). Target p99 <= 5 ms in both.
 */
const ROUNDS = 150;
const POLL_MS = 100;
const SIREN = { bcm: 22 };

export async function run(report: Report): Promise<void> {
  for (const storage of ['healthy', 'failing'] as const) {
    const { beyondPoll, total } = await measure(storage);
    report(`sounder beyond the poll (${storage} outbox) p50`, percentile(beyondPoll, 50), 'ms');
    report(`sounder beyond the poll (${storage} outbox) p99`, percentile(beyondPoll, 99), 'ms');
    report(`sounder detector change to siren (${storage} outbox, poll ${POLL_MS} ms) p99`, percentile(total, 99), 'ms');
  }
}

async function measure(storage: 'healthy' | 'failing'): Promise<{ beyondPoll: number[]; total: number[] }> {
  const gpio = new SimGpioBackend();
  let lastStatusReply = 0;
  const gw = await startBenchGateway(
    (dir) => `
gateway: { id: gw-sounder, stateDir: ${dir}/state, clockSync: assume-synced }
buses:
  - { id: line, type: modbus-rtu, port: /dev/null, timeoutMs: 200, retries: 0 }
devices:
  - { id: smoke-1, profile: example-smoke-detector, bus: line, address: 1, pollIntervalMs: ${POLL_MS}, location: { room: hall } }
gpio:
  backend: sim
  outputs:
    - { name: siren, pin: 22, sounder: true }
actions:
  - name: fire-siren
    when: { kinds: [alarm], severities: [fire] }
    do: [{ output: siren, mode: on }]
platform: { url: 'mqtt://127.0.0.1:1', allowInsecure: true }
outbox: { flushIntervalMs: 100 }
api: { enabled: false }
log: { level: fatal }
`,
    [1],
    {
      gpioBackend: gpio,
      onReply: (req, at) => {
        // The status word (input register 4) is read in the same request as the measurements.
        if (req.op === 'read' && req.area === 'input' && req.address <= 4 && req.address + req.count > 4) lastStatusReply = at;
      },
    },
  );
  try {
    if (storage === 'failing') {
      // Every write of the file fails from now on, as on an SD card that went bad, and reopening fails too.
      const box = gw.daemon.store.current()!;
      const fail = (): never => {
        throw new OutboxStorageError('appendEvent', 'SQLITE_IOERR_FSYNC');
      };
      box.appendEvent = fail;
      box.appendReading = fail;
      // ...and the state directory is gone for good: a file where it was, so reopening fails too.
      rmSync(`${gw.dir}/state`, { recursive: true, force: true });
      writeFileSync(`${gw.dir}/state`, 'not a directory');
      await sleep(50);
    }
    await sleep(500);
    const beyondPoll: number[] = [];
    const total: number[] = [];
    const map = gw.map;
    for (let i = 0; i < ROUNDS; i++) {
      // A random phase against the poll, as a real fire has.
      await sleep(Math.random() * POLL_MS);
      const changed = performance.now();
      map.set(1, 'input', 4, [1]);
      const on = await until(() => gpio.level(SIREN) === 1, 2000);
      const sirenAt = gpio.history(SIREN).at(-1)!.at;
      if (!on) throw new Error(`round ${i}: the siren did not sound (${storage} outbox)`);
      beyondPoll.push(sirenAt - lastStatusReply);
      total.push(sirenAt - changed);
      map.set(1, 'input', 4, [0]);
      await until(() => gpio.level(SIREN) === 0, 2000);
    }
    if (storage === 'failing' && gw.daemon.store.health().ok) throw new Error('the outbox was expected to be in a storage fault');
    return { beyondPoll, total };
  } finally {
    await gw.daemon.stop();
    rmSync(gw.dir, { recursive: true, force: true });
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setImmediate(r));
  }
  return true;
}
