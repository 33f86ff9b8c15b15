import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { createPtyPair } from '../helpers/socat.js';
import { eventsIn, isEventTopic } from '../helpers/platform-events.js';

/**
 * The whole path with real parts: pymodbus as two RS-485 smoke detectors behind a socat pty pair
 * (so the real serialport code path runs), the gateway, and a real Mosquitto as the platform.
 * A fire alarm bit reaches the subscriber with the device's location; a slave that stops
 * answering raises an offline fault while the other keeps its poll rate; it comes back online.
 */
const POLL_MS = 250;

// example-smoke-detector: ir0 smoke density (0.001 dB/m), ir1 temperature (0.1 °C), ir2 contamination, ir4 status bits.
const quiet = { input: { 0: [20, 225, 10, 0, 0] } };

t.test('RTU field bus to Mosquitto: alarm, dead slave, recovery', async (t) => {
  const pty = await createPtyPair('e2e');
  t.teardown(() => pty.close());
  const slaves = await startPymodbus({ mode: 'rtu', device: pty.b, baud: 9600, units: [1, 2], init: { 1: quiet, 2: quiet } });
  t.teardown(() => slaves.stop());
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());

  const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `
gateway: { id: gw-e2e, location: { building: Block 7 }, stateDir: ${dir}/state, clockSync: assume-synced }
buses:
  - { id: rs485, type: modbus-rtu, port: ${pty.a}, baudRate: 9600, timeoutMs: 200, retries: 0 }
devices:
  - id: smoke-1
    profile: example-smoke-detector
    bus: rs485
    address: 1
    pollIntervalMs: ${POLL_MS}
    location: { building: Block 7, floor: '3', room: '301 kitchen' }
  - id: smoke-2
    profile: example-smoke-detector
    bus: rs485
    address: 2
    pollIntervalMs: ${POLL_MS}
    location: { building: Block 7, floor: '3', room: '302 hall' }
    offline: { afterPolls: 3, afterMs: 30000 }
    backoff: { maxMs: 4000 }
platform: { url: '${broker.url}', allowInsecure: true, telemetryFormat: readings, telemetryIntervalMs: 0 }
`,
  );
  const { config, profiles } = await loadConfigWithProfiles(file);

  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
  t.teardown(() => sub.endAsync());
  type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const readings: Msg[] = [];
  const events: Msg[] = [];
  sub.on('message', (topic, payload) => {
    if (isEventTopic(topic)) return void events.push(...eventsIn(topic, payload));
    const body = JSON.parse(payload.toString()) as Msg;
    if (topic.endsWith('/telemetry')) readings.push(...(body.readings as Msg[]));
  });
  await sub.subscribeAsync('hearth/v1/gw-e2e/#', { qos: 1 });

  const daemon = new Daemon({ config, profiles, logger: silentLogger() });
  await daemon.start();
  t.teardown(() => daemon.stop());

  await waitFor(() => ['smoke-1', 'smoke-2'].every((d) => readings.some((r) => r.dev === d && r.pt === 'smoke_density')), 15_000);
  const density = readings.find((r) => r.dev === 'smoke-1' && r.pt === 'smoke_density')!;
  t.equal(density.val, 0.02, 'raw 20 scaled by 0.001');
  t.equal(density.unit, 'dB/m');
  t.equal(density.q, 'good');

  // The detector's own fire alarm bit.
  await slaves.command('set 1 input 4 1');
  await waitFor(() => events.some((e) => e.kind === 'alarm' && e.pt === 'fire_alarm'), 10_000);
  const alarm = events.find((e) => e.kind === 'alarm' && e.pt === 'fire_alarm')!;
  t.equal(alarm.dev, 'smoke-1');
  t.equal(alarm.sev, 'fire');
  t.same(alarm.loc, { building: 'Block 7', floor: '3', room: '301 kitchen' });

  // A slave that stops answering: offline fault; the other device keeps its rate.
  await slaves.command('mute 2');
  await waitFor(() => events.some((e) => e.kind === 'offline' && e.dev === 'smoke-2'), 15_000);
  t.notOk(events.some((e) => e.kind === 'offline' && e.dev === 'smoke-1'), 'the healthy device stays online');

  // Counted as successful polls, not published readings: report-by-exception may hold back
  // unchanged values, but the bus must keep serving the healthy device at its rate.
  const windowMs = 4000;
  const before = snapshotOf(daemon, 'smoke-2');
  const healthyBefore = snapshotOf(daemon, 'smoke-1').counters.ok;
  await new Promise((r) => setTimeout(r, windowMs));
  const healthy = snapshotOf(daemon, 'smoke-1').counters.ok - healthyBefore;
  const nominal = windowMs / POLL_MS;
  t.ok(healthy >= nominal * 0.6, `healthy device kept polling: ${healthy} good polls in ${windowMs} ms (nominal ${nominal})`);
  const dead = snapshotOf(daemon, 'smoke-2').counters.polls - before.counters.polls;
  t.ok(dead <= 4, `dead device backed off: ${dead} polls in ${windowMs} ms instead of ${windowMs / POLL_MS}`);
  t.ok(snapshotOf(daemon, 'smoke-2').counters.errorsByCode.MODBUS_TIMEOUT! >= 3, 'timeouts counted by code');

  await slaves.command('unmute 2');
  await waitFor(() => events.some((e) => e.kind === 'online' && e.dev === 'smoke-2'), 15_000);
  const offline = events.find((e) => e.kind === 'offline' && e.dev === 'smoke-2')!;
  const online = events.find((e) => e.kind === 'online' && e.dev === 'smoke-2')!;
  t.equal(online.restores, offline.id, 'the online event ends the offline one');
  t.equal(offline.sev, 'major');
});

function snapshotOf(daemon: Daemon, id: string) {
  const s = daemon.devices().find((d) => d.id === id);
  if (!s) throw new Error(`no device ${id}`);
  return s;
}
