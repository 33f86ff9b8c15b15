import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CentreConfig } from '../../src/config/types.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { Outbox } from '../../src/outbox/index.js';
import { MonitoringCentreSim } from '../../src/sim/monitoring-centre.js';
import { CentreSession } from '../../src/uplink/centre/session.js';
import { buildGbt26875Site } from '../../src/uplink/gbt26875/index.js';
import type { Report } from './run.js';

/**
 * Alarm → monitoring centre confirm, end to end on loopback: a fire alarm appended to a real outbox
 * (fsynced commit) with the platform and one centre as destinations, leased by the centre's
 * GB/T 26875.3 session, framed, sent over TCP to the monitoring centre simulator, confirmed, and
 * the confirm taken (the moment the record is done for the centre and the alarm's receipt is
 * reported). One alarm at a time, as a building raises them; 300 alarms after 20 of warm-up.
 * Also the frames and bytes each alarm took on the wire, both ways.
 */
const ALARMS = 300;
const WARMUP = 20;

function fireAlarm(seq: number): GatewayEvent {
  return { id: `bench-${seq}`, kind: 'alarm', severity: 'fire', gatewayId: 'gw-bench', deviceId: 'smoke-1', point: 'smoke', value: true, message: 'smoke', location: { room: '201' }, ts: Date.now(), synced: true, mono: performance.now(), seq };
}

function centre(port: number): CentreConfig {
  return {
    id: 'centre', protocol: 'gbt26875', host: '127.0.0.1', port, sourceAddress: 1, centreAddress: 0, userVersion: 0, utcOffsetMinutes: 480,
    confirmTimeoutMs: 10_000, resends: 3, reconnectMinMs: 100, reconnectMaxMs: 1000, heartbeatS: 3600,
    route: { kinds: ['alarm', 'fault', 'restore'], readings: false }, system: { type: 1, address: 1 }, devices: {},
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-centre-'));
  const sim = await MonitoringCentreSim.start();
  const outbox = Outbox.open({
    path: join(dir, 'outbox.db'), gatewayId: 'gw-bench', reserveMb: 0, minFreeMb: 0,
    destinations: [{ id: 'platform', readings: true }, { id: 'centre', kinds: ['alarm', 'fault', 'restore'], readings: false }],
  });
  const site = buildGbt26875Site({ gateway: { id: 'gw-bench' }, buses: [{ id: 'line' }], devices: [{ id: 'smoke-1', name: '3号楼2层201室 烟感', bus: 'line', address: 3, location: {} }] }, new Map([['smoke-1', { kind: 'smoke' }]]));
  let confirmed: ((id: string) => void) | undefined;
  const session = new CentreSession({ centre: centre(sim.port), source: outbox.source('centre')!, site, receipts: (ids) => ids.forEach((id) => confirmed?.(id)) });
  try {
    session.start();
    await sim.waitFor((r) => r.unit?.type === 21, 10_000, 'the session');
    const latencies: number[] = [];
    const framesBefore = session.state().counters.framesSent;
    const receivedBefore = sim.received.length;
    for (let i = 0; i < WARMUP + ALARMS; i++) {
      const alarm = fireAlarm(i);
      const done = new Promise<void>((resolve) => (confirmed = (id) => id === alarm.id && resolve()));
      const t0 = performance.now();
      outbox.appendEvent(alarm);
      await done;
      if (i >= WARMUP) latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    report('centre alarm → confirm p50', percentile(latencies, 50), 'ms');
    report('centre alarm → confirm p99', percentile(latencies, 99), 'ms');
    const frames = (session.state().counters.framesSent - framesBefore) / (WARMUP + ALARMS);
    const sent = sim.received.slice(receivedBefore).filter((r) => r.frame.command === 2);
    const bytesUp = sent.reduce((n, r) => n + r.frame.length, 0) / (WARMUP + ALARMS);
    // Each send is answered by a confirm without data: 30 bytes.
    report('centre frames per fire alarm (state + system state)', frames, 'frames');
    report('centre bytes on the wire per fire alarm (sends + confirms)', Math.round(bytesUp + frames * 30), 'bytes');
  } finally {
    session.stop();
    outbox.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
