import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { Reading } from '../../src/model/reading.js';
import { Outbox } from '../../src/outbox/index.js';
import { ReportByException } from '../../src/reporting/exception-filter.js';
import { NativeCodec } from '../../src/uplink/index.js';
import { Mosquitto } from '../../test/helpers/mosquitto.js';
import type { Report } from './run.js';
import { GATEWAY_NODE_FLAGS } from './lib/node-flags.js';

const GW = 'gw-bench';
const BACKLOG = 1_000_000;

function reading(seq: number, value: number): Reading {
  return { gatewayId: GW, deviceId: `rcd-${seq % 50}`, point: 'leakage', value, unit: 'mA', quality: 'good', ts: 1767225600000 + seq, synced: true, mono: seq, seq };
}

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-outbox-'));
  let broker: Mosquitto | undefined;
  try {
    // Ingest: readings committed per second (group commit, synchronous=FULL).
    const box = Outbox.open({ path: join(dir, 'outbox.db'), quotaMb: 4096, minFreeMb: 0, reserveMb: 0, maxBufferedReadings: 2000, gatewayId: GW });
    const t0 = performance.now();
    for (let i = 0; i < BACKLOG; i++) box.appendReading(reading(box.next(), i % 1000));
    box.flush();
    const ingestS = (performance.now() - t0) / 1000;
    report('outbox ingest', Math.round(BACKLOG / ingestS), 'readings/s committed');

    box.close();

    // Drain the 1,000,000-reading backlog into Mosquitto from a restarted gateway (its own
    // process), with fire alarms raised during it; the platform side (here) times the alarms.
    broker = await Mosquitto.start();
    const url = broker.url;
    const watcher = await mqtt.connectAsync(url, { clientId: 'bench-platform' });
    const latencies: number[] = [];
    watcher.on('message', (_topic, payload) => {
      const e = JSON.parse(payload.toString()) as { kind: string; ts: number };
      if (e.kind === 'alarm') latencies.push(performance.timeOrigin + performance.now() - e.ts);
    });
    await watcher.subscribeAsync(`hearth/v1/${GW}/events/#`, { qos: 1 });
    const childJs = fileURLToPath(new URL('./lib/drain-child.js', import.meta.url));
    const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, childJs, join(dir, 'outbox.db'), url, GW], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`drain child exited ${code}`);
    const result = JSON.parse(out.trim()) as { drainS: number; alarms: number; peakRssMb: number };
    await new Promise((r) => setTimeout(r, 500));
    await watcher.endAsync();
    report('outbox drain 1M backlog', Math.round(BACKLOG / result.drainS), 'readings/s');
    report('outbox drain 1M backlog time', result.drainS, 's');
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? NaN;
    report(`outbox alarm latency during drain p99 (${latencies.length} of ${result.alarms} alarms)`, p99, 'ms');
    report('outbox peak RSS during drain (gateway process)', Math.round(result.peakRssMb), 'MB');

    // Uplink bytes per steady sensor per day, with and without report by exception.
    report('uplink bytes per steady sensor per day (every reading)', steadyBytesPerDay(false), 'bytes');
    report('uplink bytes per steady sensor per day (report by exception)', steadyBytesPerDay(true), 'bytes');
  } finally {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One residual-current sensor polled every 5 s for a day, steady at about 120 mA with +-1 mA noise,
 * encoded by the native codec in batches of 60 readings (a 5-minute drain cycle). With report by
 * exception: deadband 5 mA, maxSilenceMs 15 minutes.
 */
function steadyBytesPerDay(exception: boolean): number {
  const codec = new NativeCodec({ gatewayId: GW, topicPrefix: 'hearth/v1', version: '0.1.0' });
  const out: Reading[] = [];
  const sink = { reading: (r: Reading) => out.push(r) };
  const filter = new ReportByException(sink);
  filter.addDevice('rcd-1', [{ name: 'leakage', deadband: 5, maxSilenceMs: 15 * 60_000 }]);
  let x = 12345;
  for (let s = 0, seq = 1; s < 86_400; s += 5, seq++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const r: Reading = { ...reading(seq, 120 + ((x % 3) - 1)), deviceId: 'rcd-1', mono: s * 1000, ts: 1767225600000 + s * 1000 };
    if (exception) filter.reading(r);
    else sink.reading(r);
  }
  let bytes = 0;
  // A 5-minute cycle: what accumulated in it goes out as one message (topic + payload).
  for (let cycle = 0; cycle < 288; cycle++) {
    const batch = out.filter((r) => r.mono >= cycle * 300_000 && r.mono < (cycle + 1) * 300_000);
    if (batch.length === 0) continue;
    const msg = codec.encodeTelemetry(batch);
    bytes += Buffer.byteLength(msg.payload) + Buffer.byteLength(msg.topic);
  }
  return bytes;
}
