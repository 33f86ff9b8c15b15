import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { parseConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { Mosquitto } from '../../test/helpers/mosquitto.js';
import type { Report } from './run.js';
import { eventFilters } from '../../test/helpers/platform-events.js';

/**
 * Simulated GPIO edge → event at an MQTT subscriber, through the whole gateway (contact input →
 * rules → outbox → uplink) into a real Mosquitto on loopback. Debounce is 0 here so the figure is
 * the pipeline's own latency; a configured debounce window adds to it exactly. Target p99 <= 20 ms.
 */
const EDGES = 300;
const GAP_MS = 15;

export async function run(report: Report): Promise<void> {
  const broker = await Mosquitto.start();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-gpio-'));
  const gpio = new SimGpioBackend();
  let daemon: Daemon | undefined;
  let sub: mqtt.MqttClient | undefined;
  try {
    const text = `
gateway: { id: bench-gw, stateDir: ${join(dir, 'state')}, clockSync: assume-synced }
platform: { url: '${broker.url}' }
api: { enabled: false }
log: { level: fatal }
gpio:
  backend: sim
  inputs:
    - { id: contact-1, pin: 17, debounceMs: 0, point: fire_alarm, location: { room: bench } }
`;
    const { config, profiles } = parseConfigWithProfiles(text, join(dir, 'hearth.yaml'));
    daemon = new Daemon({ config, profiles, logger: silentLogger(), gpioBackend: gpio });
    sub = await mqtt.connectAsync(broker.url);
    let arrived: (() => void) | undefined;
    sub.on('message', () => arrived?.());
    await sub.subscribeAsync(eventFilters('bench-gw'), { qos: 1 });
    await daemon.start();
    await new Promise((r) => setTimeout(r, 500)); // uplink connected

    const latencies: number[] = [];
    for (let i = 0; i < EDGES; i++) {
      const got = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`edge ${i}: no event within 5 s`)), 5000);
        arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const t0 = performance.now();
      // Alternating edges: alarm, restore, alarm, ... each one event.
      gpio.set({ bcm: 17 }, i % 2 === 0 ? 0 : 1);
      await got;
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
    report('gpio edge to MQTT event p50', pct(50), 'ms');
    report('gpio edge to MQTT event p99', pct(99), 'ms');
    report('gpio edge to MQTT event max', latencies[latencies.length - 1]!, 'ms');
  } finally {
    await daemon?.stop();
    await sub?.endAsync(true);
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
