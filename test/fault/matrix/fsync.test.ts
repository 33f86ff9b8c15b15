import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import t from 'tap';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { startPymodbus } from '../../helpers/pymodbus.js';
import { transpileForChild } from '../transpile.js';
import { DELIVERY_MS, QUIET, SIREN_MS, type Msg } from './harness.js';
import { repoPath, sibling } from '../../helpers/repo.js';
import { eventFilters, eventsIn } from '../../helpers/platform-events.js';

/**
 * Fault matrix: fsync fails. A shim preloaded into the gateway's process (native/fail-fsync.c)
 * makes fsync and fdatasync return EIO while a flag file exists, so SQLite's own commit fails the
 * way it does on a dying SD card. The alarm raised then must still sound and reach the platform;
 * the storage fault goes upstream and clears once fsync works again.
 */
// The child runs from a transpiled copy elsewhere: name the profile by its path.
const PROFILE = repoPath('drivers/modbus/profiles/example-smoke-detector.yaml');
const dir = mkdtempSync(join(tmpdir(), 'hearth-matrix-fsync-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const shim = join(dir, 'fail-fsync.so');
try {
  execFileSync('cc', ['-shared', '-fPIC', '-o', shim, repoPath('test/fault/matrix/native/fail-fsync.c'), '-ldl'], { stdio: 'pipe' });
} catch (err) {
  t.fail(`cannot build the fsync shim (a C compiler is a test dependency): ${(err as Error).message}`);
}

t.test('fsync fails with EIO: the alarm sounds and is sent from memory; the storage fault goes upstream and clears', async (t) => {
  const slavePort = await freePort();
  const slave = await startPymodbus({ mode: 'tcp', port: slavePort, units: [1], init: { 1: QUIET } });
  t.teardown(() => slave.stop());
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const events: Msg[] = [];
  const sub = await mqtt.connectAsync(broker.url);
  t.teardown(() => sub.endAsync());
  sub.on('message', (topic, payload) => events.push(...(eventsIn(topic, payload) as Msg[])));
  await sub.subscribeAsync(eventFilters('mx-fsync'), { qos: 1 });

  const config = join(dir, 'hearth.yaml');
  writeFileSync(
    config,
    `gateway: { id: mx-fsync, stateDir: ${join(dir, 'state')}, clockSync: assume-synced, location: { building: Matrix block } }
buses:
  - { id: line, type: modbus-tcp, host: 127.0.0.1, port: ${slavePort}, timeoutMs: 300 }
devices:
  - { id: smoke-hall, profile: ${PROFILE}, bus: line, address: 1, pollIntervalMs: 200, location: { room: hall } }
gpio: { backend: sim, outputs: [{ name: siren, pin: 22, sounder: true }] }
actions: [{ name: fire-siren, when: { kinds: [alarm], severities: [fire] }, do: [{ output: siren, mode: on }] }]
platform: { url: '${broker.url}', allowInsecure: true, reconnectMinMs: 500 }
api: { enabled: false }
log: { level: fatal }
`,
  );
  const child = transpileForChild(sibling(import.meta.url, './fsync-child.ts'));
  t.teardown(child.cleanup);
  const flag = join(dir, 'fail-now');
  const gw = spawn(process.execPath, [child.file, config], { env: { ...process.env, LD_PRELOAD: shim, FAIL_FSYNC_FLAG: flag }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => gw.kill('SIGKILL'));
  const lines: Msg[] = [];
  createInterface({ input: gw.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Msg));
  const last = (type: string) => [...lines].reverse().find((l) => l.t === type);
  await waitFor(() => last('ready') !== undefined, 20_000);
  t.equal(last('ready')!.storageOk, true, 'healthy at start');

  // Committed while the disk works: a detector fault.
  await slave.command('set 1 input 4 2');
  await waitFor(() => events.some((e) => e.kind === 'fault' && e.pt === 'sensor_fault'), DELIVERY_MS);

  writeFileSync(flag, '');
  const raised = performance.now();
  await slave.command('set 1 input 4 3'); // fire alarm (bit 0) with the fault still on
  await waitFor(() => last('siren')?.level === 1, SIREN_MS, 5);
  t.pass(`siren sounded ${Math.round(performance.now() - raised)} ms after the detector changed, fsync failing`);
  await waitFor(() => events.some((e) => e.kind === 'alarm' && e.pt === 'fire_alarm'), DELIVERY_MS);
  t.pass(`fire alarm at the platform after ${Math.round(performance.now() - raised)} ms`);
  await waitFor(() => events.some((e) => e.kind === 'fault' && e.pt === 'storage'), DELIVERY_MS);
  await waitFor(() => last('health')?.storageOk === false, 3000);
  await new Promise((res) => setTimeout(res, 2500)); // reopen attempts while fsync still fails
  t.equal(last('health')?.storageOk, false, 'still in the storage fault: a reopened file must take a durable write first');
  t.equal(events.filter((e) => e.kind === 'restore' && e.pt === 'storage').length, 0, 'no flapping restore');

  rmSync(flag);
  await waitFor(() => events.some((e) => e.kind === 'restore' && e.pt === 'storage'), 30_000);
  await waitFor(() => last('health')?.storageOk === true, 5000);
  t.pass('fsync works again: the file was checked and reopened, the fault cleared');

  const seen = new Set(events.map((e) => e.id as string));
  await waitFor(() => lines.filter((l) => l.t === 'event').every((l) => seen.has(l.id as string) || events.some((e) => e.id === l.id)), 20_000).catch(() => undefined);
  const missing = lines.filter((l) => l.t === 'event' && !events.some((e) => e.id === l.id)).map((l) => `${l.kind} ${l.point}`);
  t.same(missing, [], 'every event the gateway raised reached the platform');
  gw.kill('SIGTERM');
  await new Promise((res) => gw.once('exit', res));
});
