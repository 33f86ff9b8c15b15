import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import mqtt from 'mqtt';
import { encodeRdm6300 } from '../../drivers/tag-reader/rdm6300.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { parseConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { waitFor } from '../helpers/net.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/socat.js';
import { eventFilters, eventsIn } from '../helpers/platform-events.js';

/**
 * End to end: an e-bike tag at the elevator reader (RDM6300 frames over a socat pty, so the real
 * serialport path runs) and a dry-contact smoke alarm (simulated GPIO) through the real pipeline
 * to a real Mosquitto, with the local outputs switching on the gateway — also while the broker is down.
 */

const EBIKE = '0EB1CE0001';

function configText(brokerUrl: string, stateDir: string, readerPort: string): string {
  return `
gateway: { id: gw-e2e, stateDir: ${stateDir}, clockSync: assume-synced }
platform: { url: '${brokerUrl}', mqttVersion: '3.1.1', reconnectMinMs: 100, reconnectMaxMs: 500 }
api: { enabled: false }
log: { level: fatal }
gpio:
  backend: sim
  inputs:
    - { id: smoke-relay, pin: 17, contact: NO, debounceMs: 20, point: fire_alarm, location: { room: boiler room } }
  outputs:
    - { name: siren, pin: 22 }
    - { name: elevator-block, pin: 23 }
tags:
  groups: { ebikes: ['${EBIKE}'] }
  readers:
    - { id: elevator-reader, protocol: rdm6300, port: '${readerPort}', absenceMs: 800, deny: { groups: [ebikes] }, location: { floor: '1', room: elevator lobby } }
actions:
  - name: fire-siren
    when: { kinds: [alarm], severities: [fire] }
    do: [{ output: siren, mode: on }]
  - name: ebike-at-elevator
    when: { kinds: [alarm], devices: [elevator-reader] }
    untilRestore: false
    do:
      - { output: elevator-block, mode: on, forMs: 3000 }
      - { output: siren, mode: pattern, pattern: [100, 100], forMs: 1000 }
`;
}

t.test('e-bike at the elevator and a dry-contact smoke alarm, end to end to a real Mosquitto', async (t) => {
  // Persistent sessions: the platform subscriber misses nothing while it reconnects after the outage.
  const broker = await Mosquitto.start({ persistence: true });
  t.teardown(() => broker.close());
  const pty = await createPtyPair('ebike');
  t.teardown(() => pty.close());
  const dir = mkdtempSync(join(tmpdir(), 'hearth-ebike-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const { config, profiles } = parseConfigWithProfiles(configText(broker.url, join(dir, 'state'), pty.a), join(dir, 'hearth.yaml'));
  const gpio = new SimGpioBackend();
  const daemon = new Daemon({ config, profiles, logger: silentLogger(), gpioBackend: gpio });

  const platform = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'platform-e2e', clean: false, reconnectPeriod: 100 });
  t.teardown(() => platform.endAsync(true));
  const events: Record<string, unknown>[] = [];
  platform.on('message', (topic, payload) => events.push(...eventsIn(topic, payload)));
  await platform.subscribeAsync(eventFilters('gw-e2e'), { qos: 1 });

  await daemon.start();
  t.teardown(() => daemon.stop());
  t.equal(gpio.level({ bcm: 22 }), 0, 'siren in its safe state at start');
  t.equal(gpio.level({ bcm: 23 }), 0, 'elevator block in its safe state at start');

  // The reader: RDM6300 frames repeated while the e-bike is in the field.
  const dev = await new Promise<SerialPort>((res, rej) => {
    const p = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
    p.open((err) => (err ? rej(err) : res(p)));
  });
  t.teardown(() => new Promise<void>((d) => dev.close(() => d())));
  const frame = encodeRdm6300(EBIKE);
  const repeat = setInterval(() => dev.write(frame), 100);
  await waitFor(() => gpio.level({ bcm: 23 }) === 1, 15_000);
  t.pass('elevator block relay on');
  await waitFor(() => events.some((e) => e.kind === 'alarm' && e.dev === 'elevator-reader'), 15_000);
  const alarm = events.find((e) => e.kind === 'alarm' && e.dev === 'elevator-reader')!;
  t.equal(alarm.val, EBIKE);
  t.equal(alarm.sev, 'critical');
  t.same(alarm.loc, { floor: '1', room: 'elevator lobby' });
  t.ok(events.some((e) => e.kind === 'tag_arrived' && e.val === EBIKE), 'tag_arrived at the platform');
  t.ok(gpio.history({ bcm: 22 }).some((h) => h.level === 1), 'siren pattern played');
  clearInterval(repeat);
  await waitFor(() => events.some((e) => e.kind === 'tag_left') && events.some((e) => e.kind === 'restore' && e.restores === alarm.id), 15_000);
  t.equal(events.filter((e) => e.kind === 'tag_arrived').length, 1, 'one arrival for many frames');
  await waitFor(() => gpio.level({ bcm: 23 }) === 0, 15_000);
  t.pass('elevator block released after its time');

  // The uplink goes down: the dry contact still sounds the siren at once, and the alarm is
  // delivered once the broker is back.
  await broker.stop();
  gpio.set({ bcm: 17 }, 0);
  await waitFor(() => gpio.level({ bcm: 22 }) === 1, 10_000);
  t.pass('siren on with no network');
  await broker.start();
  await waitFor(() => events.some((e) => e.kind === 'alarm' && e.dev === 'smoke-relay'), 30_000);
  const fire = events.find((e) => e.kind === 'alarm' && e.dev === 'smoke-relay')!;
  t.equal(fire.sev, 'fire');
  t.equal(fire.pt, 'fire_alarm');
  gpio.set({ bcm: 17 }, 1);
  await waitFor(() => gpio.level({ bcm: 22 }) === 0, 10_000);
  t.pass('siren silenced by the restore');

  // The contact's line dies (a killed gpiomon): the platform hears a fault of that contact, then its restore.
  gpio.failLine({ bcm: 17 });
  await waitFor(() => events.some((e) => e.kind === 'fault' && e.dev === 'smoke-relay' && e.pt === 'line'), 10_000);
  gpio.recoverLine({ bcm: 17 });
  await waitFor(() => events.some((e) => e.kind === 'restore' && e.dev === 'smoke-relay' && e.pt === 'line'), 10_000);
  t.pass('line fault and restore at the platform');

  await daemon.stop();
  t.equal(gpio.level({ bcm: 22 }), 0, 'siren safe after stop');
  t.equal(gpio.level({ bcm: 23 }), 0, 'elevator block safe after stop');
  t.notOk(gpio.isClaimed({ bcm: 22 }), 'outputs released');
});
