import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { decodeTelemetry, isTelemetryTopic, type PlatformReading } from '../helpers/telemetry.js';
import { eventsIn } from '../helpers/platform-events.js';

/**
 * Report by exception and the telemetry interval thin and delay readings only: with the defaults
 * (status bits on change, telemetry once a minute in compact columns), a detector's fire alarm
 * bit going on and off reaches the platform as an alarm and a restore at once, while the readings
 * of the same poll wait in the outbox for the next telemetry message.
 */
t.test('an alarm bit change is delivered at once, ahead of the held telemetry; the restore too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-alarm-at-once-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway: { id: gw-at-once, location: { building: Lab }, stateDir: ${join(dir, 'state')}, clockSync: assume-synced }
buses: [{ id: line-1, type: modbus-tcp, host: 127.0.0.1, port: 1, timeoutMs: 200 }]
devices: [{ id: smoke-1, profile: example-smoke-detector, bus: line-1, address: 1, pollIntervalMs: 200, location: { building: Lab, floor: '0', room: lab } }]
platform: { url: '${broker.url}', allowInsecure: true }
api: { enabled: false }
`,
  );
  const { config, profiles } = await loadConfigWithProfiles(file);
  t.equal(config.platform.telemetryIntervalMs, 60_000, 'default: telemetry once a minute');
  t.equal(config.platform.telemetryFormat, 'columns-deflate', 'default: compact columns');
  const map = new RegisterMap();
  map.addUnit(1);
  map.set(1, 'input', 0, [20, 221, 12]); // density, temperature, contamination
  const daemon = new Daemon({ config, profiles, logger: silentLogger(), busFactory: (cfg) => createSimBus({ id: cfg.id, map, timeoutMs: 100 }) });
  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100 });
  t.teardown(() => sub.endAsync(true));
  const telemetry: { at: number; readings: PlatformReading[] }[] = [];
  const events: { at: number; body: Record<string, unknown> }[] = [];
  sub.on('message', (topic, payload) => {
    if (isTelemetryTopic(topic)) telemetry.push({ at: performance.now(), readings: decodeTelemetry(topic, payload) });
    else for (const body of eventsIn(topic, payload)) events.push({ at: performance.now(), body });
  });
  await sub.subscribeAsync('hearth/v1/gw-at-once/#', { qos: 1 });
  await daemon.start();
  t.teardown(() => daemon.stop());

  await waitFor(() => telemetry.length >= 1, 15_000);
  t.ok(telemetry[0]!.readings.some((r) => r.pt === 'fire_alarm' && r.val === false), 'the first telemetry carries every point once');
  // Let a few polls pass: the steady bits are not re-sent, and no telemetry goes before a minute is up.
  await new Promise((r) => setTimeout(r, 1500));

  const on = performance.now();
  map.set(1, 'input', 4, 0b1); // status word: fire alarm
  await waitFor(() => events.some((e) => e.body.kind === 'alarm' && e.body.pt === 'fire_alarm'), 10_000);
  const alarm = events.find((e) => e.body.kind === 'alarm' && e.body.pt === 'fire_alarm')!;
  t.ok(alarm.at - on < 5000, `the fire alarm reached the platform ${Math.round(alarm.at - on)} ms after the bit went on`);
  t.equal(alarm.body.sev, 'fire');
  t.equal(telemetry.length, 1, 'it did not wait for the telemetry interval: the readings of that poll are still held');

  const off = performance.now();
  map.set(1, 'input', 4, 0);
  await waitFor(() => events.some((e) => e.body.kind === 'restore' && e.body.restores === alarm.body.id), 10_000);
  const restore = events.find((e) => e.body.kind === 'restore' && e.body.restores === alarm.body.id)!;
  t.ok(restore.at - off < 5000, `the restore reached the platform ${Math.round(restore.at - off)} ms after the bit went off`);
  t.equal(telemetry.length, 1, 'still one telemetry message');
});
