import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { Outbox } from '../../src/outbox/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { freePort, waitFor } from '../helpers/net.js';
import { eventsIn, isEventTopic } from '../helpers/platform-events.js';

/**
 * Nothing acknowledged is lost, and nothing unsent either: the gateway runs with the platform
 * down, is stopped, and starts again once the platform is back. Every reading and event taken
 * during the outage reaches the subscriber after the restart.
 */
t.test('unsent data in the outbox is delivered after a restart', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  await broker.stop(); // the platform is down from the start

  const dir = mkdtempSync(join(tmpdir(), 'hearth-restart-'));
  const simPort = await freePort();
  const deadPort = await freePort(); // a device server that is not there: offline fault events
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `
gateway: { id: gw-restart, stateDir: ${dir}/state, clockSync: assume-synced }
buses:
  - { id: line, type: modbus-tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 300 }
  - { id: gone, type: modbus-tcp, host: 127.0.0.1, port: ${deadPort}, timeoutMs: 300 }
devices:
  - { id: rcd-1, profile: example-residual-current-detector, bus: line, address: 1, pollIntervalMs: 100, location: { room: board } }
  - { id: smoke-9, profile: example-smoke-detector, bus: gone, address: 1, pollIntervalMs: 100, location: { room: attic }, offline: { afterPolls: 2, afterMs: 1000 } }
platform: { url: '${broker.url}', allowInsecure: true, reconnectMinMs: 100, reconnectMaxMs: 500, telemetryFormat: readings, telemetryIntervalMs: 0 }
demo:
  simulators:
    - { profile: example-residual-current-detector, host: 127.0.0.1, port: ${simPort}, units: [1], scenario: steady }
`,
  );
  const { config, profiles } = await loadConfigWithProfiles(file);
  const run = async (ms: number, until?: () => boolean) => {
    const daemon = new Daemon({ config, profiles, logger: silentLogger() });
    await daemon.start();
    if (until) await waitFor(until, ms);
    else await new Promise((r) => setTimeout(r, ms));
    await daemon.stop();
  };

  await run(2500);

  // What the first run left behind, straight from the SQLite file.
  const pending = new Set<number>();
  let events = 0;
  const outbox = Outbox.open({ path: config.outbox.path });
  for (let b = outbox.nextBatch({ maxReadings: 1000, maxBytes: 1 << 20 }); b; b = outbox.nextBatch({ maxReadings: 1000, maxBytes: 1 << 20 })) {
    if (b.kind === 'event') {
      events++;
      pending.add(b.event.seq);
    } else for (const r of b.readings) pending.add(r.seq);
  }
  outbox.close();
  // Report by exception: the first reading of every point, then only what moved (steady scenario).
  t.ok(pending.size > 10, `the outage left ${pending.size} records in the outbox`);
  t.ok(events >= 1, `including ${events} event(s) (the unreachable device went offline)`);

  await broker.start();
  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
  t.teardown(() => sub.endAsync());
  const seen = new Set<number>();
  sub.on('message', (topic, payload) => {
    if (isEventTopic(topic)) for (const e of eventsIn(topic, payload)) seen.add(e.seq as number);
    else if (topic.endsWith('/telemetry')) for (const r of JSON.parse(payload.toString()).readings) seen.add(r.seq);
  });
  await sub.subscribeAsync('hearth/v1/gw-restart/#', { qos: 1 });

  await run(20_000, () => [...pending].every((s) => seen.has(s)));
  const missing = [...pending].filter((s) => !seen.has(s));
  t.same(missing, [], 'every record from the outage was delivered after the restart');
});
