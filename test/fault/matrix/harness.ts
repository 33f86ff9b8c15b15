import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { SimGpioBackend } from '../../../src/bus/gpio/sim-backend.js';
import type { GpioBackend } from '../../../src/bus/gpio/types.js';
import type { Clock } from '../../../src/clock/clock.js';
import { loadConfigWithProfiles } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { createLogger } from '../../../src/log/logger.js';
import { waitFor } from '../../helpers/net.js';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { freePort } from '../../helpers/net.js';
import { startPymodbus, type PymodbusServer } from '../../helpers/pymodbus.js';
import { eventFilters, eventsIn } from '../../helpers/platform-events.js';

/**
 * One gateway of the fault matrix (docs/alarm-path.md): the real daemon in this process with a
 * smoke detector served by pymodbus (an independent Modbus TCP slave), a siren and a fault LED on
 * the GPIO simulator, and a subscriber on a real Mosquitto standing in for the platform. Each test
 * injects one fault, then raises a fire alarm at the detector and checks the two things that must
 * hold whatever the fault: the siren sounds, and (where the platform is reachable) the alarm
 * reaches the subscriber within 10 s.
 */

export const POLL_MS = 200;
/** GB 26875.1-2011 §4.1.2.1: a fire alarm reaches the centre within 10 s. */
export const DELIVERY_MS = 10_000;
/** From a register change to the siren: at most a poll, plus generous slack for a loaded machine. */
export const SIREN_MS = 3000;

// example-smoke-detector: ir0 density (0.001 dB/m), ir1 temperature (0.1 °C), ir2 contamination, ir4 status bits.
export const QUIET = { input: { 0: [20, 225, 10, 0, 0] } };
const SIREN = { bcm: 22 };
const FAULT_LED = { bcm: 24 };

/** The test object tap hands to a subtest. */
export type Tap = Parameters<Parameters<typeof import('tap').default.test>[0]>[0];

export type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RigOptions {
  id: string;
  /** pymodbus unit serving this gateway's detector (one unit per test, so tests cannot disturb each other). */
  unit: number;
  slave: PymodbusServer;
  slavePort: number;
  /** Platform broker URL; one nobody listens on is a platform that is down. */
  brokerUrl: string;
  /** Default a fresh temp folder. */
  stateDir?: string;
  /** Default `<stateDir>/outbox.db`. */
  outboxPath?: string;
  /** Extra top-level YAML (e.g. `api: ...`). `platform:` extras go in `platformYaml`. */
  extraYaml?: string;
  platformYaml?: string;
  /** The api section; default disabled. */
  apiYaml?: string;
  outboxYaml?: string;
  gpioBackend?: GpioBackend;
  clock?: Clock;
  /** Subscribe to the gateway's events before it starts (default true; false when the broker is down). */
  subscribeFirst?: boolean;
  /**
   * A platform subscriber with a persistent session (fixed client id, clean: false): with a broker
   * that keeps sessions across a restart, it misses nothing published while it reconnects.
   */
  persistentSubscriber?: boolean;
  /** Extra lines under `gpio:` (e.g. `inputs:`), indented two spaces. */
  gpioYaml?: string;
  /** More buses and devices (list items, indented two spaces). */
  busesYaml?: string;
  devicesYaml?: string;
  /** Level of the siren for a GPIO backend other than the simulator (e.g. fake libgpiod tools). */
  sirenLevel?: () => boolean;
  /** Runs after the config is written and before the daemon starts (inject a fault at start). */
  beforeStart?: (rig: { stateDir: string; outboxPath: string }) => void | Promise<void>;
}

export interface Rig {
  daemon: Daemon;
  gpio: SimGpioBackend | undefined;
  stateDir: string;
  outboxPath: string;
  /** Bodies the platform subscriber received on the gateway's event topics. */
  events: Msg[];
  logs(): string;
  siren(): boolean;
  faultLed(): boolean;
  /** Sets the detector's fire-alarm bit; returns when (performance.now()). */
  raiseSmoke(): Promise<number>;
  clearSmoke(): Promise<void>;
  /** Waits for the siren to sound; returns ms since `since`. */
  sirenWithin(since: number, ms?: number): Promise<number>;
  /** Waits for the detector's fire alarm at the subscriber; returns ms since `since`. */
  alarmAtPlatformWithin(since: number, ms?: number): Promise<number>;
  subscriber(): Promise<mqtt.MqttClient>;
}

export async function startRig(t: { teardown(fn: () => unknown): void }, o: RigOptions): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), `hearth-matrix-${o.id}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const stateDir = o.stateDir ?? join(dir, 'state');
  const outboxPath = o.outboxPath ?? join(stateDir, 'outbox.db');
  await o.slave.command(`set ${o.unit} input 0 20`);
  await o.slave.command(`set ${o.unit} input 4 0`);
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway: { id: ${o.id}, stateDir: ${stateDir}, clockSync: assume-synced, location: { building: Matrix block } }
buses:
  - { id: line, type: modbus-tcp, host: 127.0.0.1, port: ${o.slavePort}, timeoutMs: 300 }
${o.busesYaml ?? ''}
devices:
  - id: smoke-hall
    profile: example-smoke-detector
    bus: line
    address: ${o.unit}
    pollIntervalMs: ${POLL_MS}
    location: { building: Matrix block, floor: '2', room: '201 hall' }
${o.devicesYaml ?? ''}
gpio:
  backend: sim
  outputs:
    - { name: siren, pin: 22, sounder: true }
    - { name: fault-led, pin: 24, role: fault-indicator }
${o.gpioYaml ?? ''}
actions:
  - name: fire-siren
    when: { kinds: [alarm], severities: [fire] }
    do: [{ output: siren, mode: on }]
platform: { url: '${o.brokerUrl}', allowInsecure: true, reconnectMinMs: 500, reconnectMaxMs: 60000${o.platformYaml ? `, ${o.platformYaml}` : ''} }
outbox: { path: ${outboxPath}${o.outboxYaml ? `, ${o.outboxYaml}` : ''} }
api: ${o.apiYaml ?? '{ enabled: false }'}
log: { level: info }
${o.extraYaml ?? ''}
`,
  );
  await o.beforeStart?.({ stateDir, outboxPath });
  const { config, profiles } = await loadConfigWithProfiles(file);
  let logs = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  const gpio = o.gpioBackend === undefined ? new SimGpioBackend() : undefined;
  const daemon = new Daemon({
    config,
    profiles,
    logger: createLogger({ level: 'info', format: 'json' }, out),
    gpioBackend: o.gpioBackend ?? gpio!,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const events: Msg[] = [];
  const clients: mqtt.MqttClient[] = [];
  const subscriber = async (): Promise<mqtt.MqttClient> => {
    const session = o.persistentSubscriber ? { clientId: `platform-${o.id}`, clean: false } : { clean: true };
    const sub = await mqtt.connectAsync(o.brokerUrl, { reconnectPeriod: 200, ...session });
    sub.on('message', (topic, payload) => events.push(...(eventsIn(topic, payload) as Msg[])));
    await sub.subscribeAsync(eventFilters(o.id), { qos: 1 });
    // Resubscribe after a broker restart (a clean session forgets subscriptions).
    sub.on('connect', () => void sub.subscribeAsync(eventFilters(o.id), { qos: 1 }).catch(() => undefined));
    clients.push(sub);
    return sub;
  };
  t.teardown(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
  });
  if (o.subscribeFirst !== false) await subscriber();
  await daemon.start();
  t.teardown(() => daemon.stop());
  const isFireAlarm = (e: Msg) => e.kind === 'alarm' && e.dev === 'smoke-hall' && e.pt === 'fire_alarm';
  return {
    daemon,
    gpio,
    stateDir,
    outboxPath,
    events,
    logs: () => logs,
    siren: () => (o.sirenLevel ? o.sirenLevel() : gpio?.level(SIREN) === 1),
    faultLed: () => gpio?.level(FAULT_LED) === 1,
    raiseSmoke: async () => {
      const at = performance.now();
      await o.slave.command(`set ${o.unit} input 4 1`);
      return at;
    },
    clearSmoke: () => o.slave.command(`set ${o.unit} input 4 0`),
    sirenWithin: async (since, ms = SIREN_MS) => {
      await waitFor(() => (o.sirenLevel ? o.sirenLevel() : gpio?.level(SIREN) === 1), ms, 5);
      return performance.now() - since;
    },
    alarmAtPlatformWithin: async (since, ms = DELIVERY_MS) => {
      await waitFor(() => events.some(isFireAlarm), ms, 10);
      return performance.now() - since;
    },
    subscriber,
  };
}

/** Units handed out to tests of one file, so a detector in alarm in one test is quiet in the next. */
export function unitCounter(first = 1): () => number {
  let next = first;
  return () => next++;
}

/**
 * What a matrix file shares: one pymodbus slave serving a quiet detector per unit (one unit per
 * test), and (unless the file makes its own) one Mosquitto. Torn down with the file.
 */
export async function matrixField(t: { teardown(fn: () => unknown): void }, opts: { units: number; broker: boolean }) {
  const units = Array.from({ length: opts.units }, (_, i) => i + 1);
  const slavePort = await freePort();
  const slave = await startPymodbus({ mode: 'tcp', port: slavePort, units, init: Object.fromEntries(units.map((u) => [u, QUIET])) });
  t.teardown(() => slave.stop());
  let broker: Mosquitto | undefined;
  if (opts.broker) {
    broker = await Mosquitto.start();
    const b = broker;
    t.teardown(() => b.close());
  }
  return { slave, slavePort, broker, nextUnit: unitCounter() };
}
