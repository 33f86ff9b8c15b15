import { readFileSync } from 'node:fs';
import type { PlatformConfig } from '../../../src/config/types.js';
import { Outbox } from '../../../src/outbox/index.js';
import { UplinkSession } from '../../../src/uplink/index.js';

/**
 * A gateway restarted with a backlog, in its own process so its memory is its own: opens the
 * outbox file, drains it into the broker, raises a fire alarm every 100 ms meanwhile (its `ts`
 * is the high-resolution wall time of the append, so the platform side can measure latency),
 * and prints one JSON line: drain seconds, alarms raised, peak RSS (VmHWM).
 * Usage: node drain-child.js <outbox.db> <broker url> <gateway id>
 */
const [path, url, gw] = process.argv.slice(2) as [string, string, string];
const platform: PlatformConfig = {
  kind: 'mqtt', url, clientId: 'hearth-bench', tls: {}, allowInsecure: true, topicPrefix: 'hearth/v1', codec: 'native', unsignedReceipts: false,
  mqttVersion: '5', keepaliveS: 30, reconnectMinMs: 100, reconnectMaxMs: 1000, inflightWindow: 32, batchMaxReadings: 1000,
  batchMaxBytes: 256 * 1024, heartbeatMs: 60_000, telemetryFormat: 'readings', eventFormat: 'json', telemetryIntervalMs: 0,
};
const box = Outbox.open({ path, quotaMb: 4096, minFreeMb: 0, reserveMb: 0, gatewayId: gw });
const session = new UplinkSession({ platform, gatewayId: gw, outbox: box });
const wallNow = (): number => performance.timeOrigin + performance.now();
const t0 = performance.now();
session.start();
let alarms = 0;
const alarmTimer = setInterval(() => {
  const seq = box.next();
  const ts = wallNow();
  box.appendEvent({ id: `bench-alarm-${seq}`, kind: 'alarm', severity: 'fire', gatewayId: gw, deviceId: 'smoke-1', message: 'smoke', location: {}, ts, synced: true, mono: performance.now(), seq });
  alarms++;
}, 100);
while (box.stats().depth.telemetry > 0) await new Promise((r) => setTimeout(r, 20));
const drainS = (performance.now() - t0) / 1000;
clearInterval(alarmTimer);
while (box.stats().total > 0) await new Promise((r) => setTimeout(r, 20));
const hwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
await session.stop();
box.close();
process.stdout.write(JSON.stringify({ drainS, alarms, peakRssMb: hwmKb / 1024 }) + '\n');
