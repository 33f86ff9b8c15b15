import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { Mosquitto } from '../helpers/mosquitto.js';
import { freePort, waitFor } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { spawnHearth } from './daemon-child.js';
import { NotifyReceiver } from './notify-receiver.js';

/**
 * The whole daemon as systemd runs it: `hearth run` with NOTIFY_SOCKET and WATCHDOG_USEC, a
 * pymodbus slave as the RS-485 line, a real Mosquitto as the platform. READY=1 comes after the
 * outbox exists; the watchdog pings; SIGTERM gives STOPPING=1, a retained offline status, exit 0.
 */

/** Within systemd's TimeoutStopSec (15 s) with room to spare; the daemon's own bound is 10 s. */
const STOP_BOUND_MS = 12_000;

function config(dir: string, modbusPort: number, brokerUrl: string): string {
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway:
  id: test-gw-sigterm
  location: { building: Test house, floor: '0', room: lab }
  stateDir: ${join(dir, 'state')}
  clockSync: assume-synced
buses:
  - { id: line-1, type: modbus-tcp, host: 127.0.0.1, port: ${modbusPort}, timeoutMs: 1000 }
devices:
  - id: smoke-1
    profile: example-smoke-detector
    bus: line-1
    address: 1
    pollIntervalMs: 500
    location: { building: Test house, floor: '0', room: lab }
    # The slave's registers stand still; a reading a second keeps telemetry flowing for the test.
    reporting: { smoke_density: { maxSilenceMs: 1000 } }
platform:
  url: ${brokerUrl}
  mqttVersion: '5'
  heartbeatMs: 60000
  # The original telemetry layout, as soon as stored: this test reads it as JSON right away.
  telemetryFormat: readings
  telemetryIntervalMs: 0
api: { enabled: false }
log: { level: info, format: json }
`,
  );
  return file;
}

t.test('READY after start, WATCHDOG while healthy, SIGTERM: STOPPING, retained offline status, exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-sigterm-'));
  const broker = await Mosquitto.start();
  const modbusPort = await freePort();
  const slave = await startPymodbus({ mode: 'tcp', port: modbusPort, units: [1], init: { 1: { input: { 0: [20, 215, 3] } } } });
  const receiver = await NotifyReceiver.start();
  t.teardown(async () => {
    await slave.stop();
    await broker.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = config(dir, modbusPort, broker.url);
  const daemon = spawnHearth(['run', '--config', file], { NOTIFY_SOCKET: receiver.socketPath, WATCHDOG_USEC: '2000000' });
  t.teardown(() => daemon.kill());

  await receiver.waitFor('READY=1', 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- daemon output ---\n${daemon.output()}`);
  });
  t.ok(existsSync(join(dir, 'state', 'outbox.db')), 'the outbox is open before READY=1');
  t.match(receiver.assignments().join('\n'), /STATUS=running: 1 devices, gateway test-gw-sigterm/);

  // Pets every second (WatchdogSec 2 s) while the loop and the polling are healthy.
  await waitFor(() => receiver.count('WATCHDOG=1') >= 3, 30_000);
  // The platform has heard from us (online status and readings) before we stop.
  const platform = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  t.teardown(() => platform.endAsync());
  const seen: { topic: string; body: Record<string, unknown>; retain: boolean }[] = [];
  platform.on('message', (topic, payload, packet) => seen.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain }));
  await platform.subscribeAsync('hearth/v1/test-gw-sigterm/#', { qos: 1 });
  await waitFor(() => seen.some((m) => m.topic.endsWith('/telemetry')), 30_000);

  const t0 = performance.now();
  daemon.child.kill('SIGTERM');
  const bound = setTimeout(() => void daemon.kill(), STOP_BOUND_MS + 5000);
  const { code, signal } = await daemon.exited;
  clearTimeout(bound);
  const stopMs = performance.now() - t0;
  t.equal(signal, null, 'exited by itself, not killed');
  t.equal(code, 0, 'exit code 0');
  t.ok(stopMs < STOP_BOUND_MS, `stopped in ${Math.round(stopMs)} ms (bound ${STOP_BOUND_MS} ms)`);

  const all = receiver.assignments();
  t.ok(all.includes('STOPPING=1'), 'STOPPING=1 sent');
  t.ok(all.lastIndexOf('WATCHDOG=1') < all.indexOf('STOPPING=1'), 'no ping after STOPPING=1');
  t.ok(all.indexOf('READY=1') < all.indexOf('WATCHDOG=1'), 'READY=1 before the first ping');

  // A fresh subscriber gets the retained status: the graceful offline one (with outbox figures;
  // the last will has none), so the uplink said goodbye instead of just dropping the connection.
  const late = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  t.teardown(() => late.endAsync());
  let retained: Record<string, unknown> | undefined;
  late.on('message', (topic, payload, packet) => {
    if (topic.endsWith('/status') && packet.retain) retained = JSON.parse(payload.toString()) as Record<string, unknown>;
  });
  await late.subscribeAsync('hearth/v1/test-gw-sigterm/status', { qos: 1 });
  await waitFor(() => retained !== undefined, 10_000);
  t.equal(retained?.state, 'offline', 'retained status is offline');
  t.ok(retained?.outbox !== undefined, 'it is the graceful offline status, not the last will');
  t.match(daemon.output(), /"msg":"stopped"/, 'logged as JSON lines (journald)');
});

t.test('a bad config exits 78 and never says READY=1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-badcfg-'));
  const receiver = await NotifyReceiver.start();
  t.teardown(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'hearth.yaml');
  writeFileSync(file, 'gateway:\n  id: x\nbuses: []\ndevices:\n  - id: d\n    address: 300\n');
  const daemon = spawnHearth(['run', '--config', file], { NOTIFY_SOCKET: receiver.socketPath, WATCHDOG_USEC: '2000000' });
  t.teardown(() => daemon.kill());
  const { code } = await daemon.exited;
  t.equal(code, 78, 'EX_CONFIG: RestartPreventExitStatus=78 stops the restart loop');
  t.equal(receiver.count('READY=1'), 0);
});
