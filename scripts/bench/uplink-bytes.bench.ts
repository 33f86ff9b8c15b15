import { rmSync } from 'node:fs';
import mqtt from 'mqtt';
import { devicePointSpecs } from '../../src/config/effective-points.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import type { DeviceProfiles } from '../../src/config/profiles.js';
import type { HearthConfig } from '../../src/config/types.js';
import { profilePointSpecs } from '../../drivers/modbus/profile-points.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { reportingFor } from '../../src/reporting/defaults.js';
import { decodeCompactEvents } from '../../src/uplink/codecs/native-events.js';
import { demoCopy } from '../../test/helpers/demo-config.js';
import { MqttMeter, type UplinkClass } from './lib/mqtt-meter.js';
import { sleep } from './lib/stats.js';
import type { Report } from './run.js';

/**
 * Uplink bytes per day for the demo site (config/demo.yaml as shipped: its four Modbus detectors,
 * contact and tag reader with their alarm-cycle scenarios, default settings), split into status,
 * telemetry, events and the rest of the session. The real gateway runs in this process against the
 * demo's embedded broker through a meter that adds up the gateway's MQTT packets (headers
 * included). After a warm-up (connect, the first reading of every point), the meter counts for
 * two whole alarm cycles (120 s) and the figures are scaled to a day. Target: <= 5 MB/day.
 *
 * Report-by-exception heartbeats (`maxSilenceMs`, 15 min and more) do not fall into a 120 s
 * window; they are added as an estimate: one reading per silent point per period, at the
 * window's measured telemetry bytes per reading.
 *
 * Counted: the gateway's MQTT packets whole (fixed header, topic, packet id, payload), both ways
 * (downlink separately). Not seen: TCP/IP and TLS, which a SIM bills too; a line estimates them.
 *
 * Delivery: every alarm, fault and restore the gateway raised while measuring must arrive at a
 * platform-side subscriber (counted by event id against the gateway's own event bus).
 * UPLINK_BENCH_S changes the measured window (seconds).
 */
const WARMUP_MS = 15_000;
const WINDOW_MS = Number(process.env.UPLINK_BENCH_S ?? 120) * 1000;
const DAY_MS = 86_400_000;

export async function run(report: Report): Promise<void> {
  let brokerPort = 0;
  const meter = await MqttMeter.start(() => brokerPort);
  const demo = await demoCopy((c) => {
    brokerPort = c.demo.brokerPort as number;
    // The embedded broker stays the platform (it signs receipts); the gateway reaches it through the meter.
    c.platform = { kind: 'embedded', url: `mqtt://127.0.0.1:${meter.port}` };
    c.log = { level: 'error', format: 'json' };
    c.api.enabled = false;
  });
  const loaded = await loadConfigWithProfiles(demo.file).catch(async (err: unknown) => {
    await meter.close();
    throw err;
  });
  const { config, profiles } = loaded;
  const daemon = new Daemon({ config, profiles, logger: silentLogger() });
  const raised = new Map<string, GatewayEvent>();
  const received = new Set<string>();
  let counting = false;
  let sub: mqtt.MqttClient | undefined;
  try {
    daemon.bus.on('event', (e) => {
      if (counting && (e.kind === 'alarm' || e.kind === 'fault' || e.kind === 'restore')) raised.set(e.id, e);
    });
    await daemon.start();
    sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 4, reconnectPeriod: 200 });
    const kinds = new Map<string, number>();
    sub.on('message', (topic, payload) => {
      // The platform's side: compact events (the default) on `ev`, the json layout on events/<kind>.
      const events = topic.endsWith('/ev') ? decodeCompactEvents(payload) : [JSON.parse(payload.toString()) as { id: string; kind: string }];
      for (const e of events) {
        received.add(e.id);
        if (counting) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      }
    });
    await sub.subscribeAsync([`hearth/v1/${config.gateway.id}/events/#`, `hearth/v1/${config.gateway.id}/ev`], { qos: 1 });

    await sleep(WARMUP_MS);
    meter.reset();
    counting = true;
    const readings = { n: 0 };
    const unsub = daemon.bus.on('reading', () => void readings.n++);
    await sleep(WINDOW_MS);
    counting = false;
    unsub();
    const f = structuredClone(meter.figures);
    // Let the last events of the window arrive.
    const deadline = Date.now() + 15_000;
    while ([...raised.keys()].some((id) => !received.has(id)) && Date.now() < deadline) await sleep(100);

    const perDay = (bytes: number): number => (bytes * DAY_MS) / WINDOW_MS;
    const heartbeatBytes = heartbeatEstimate(config, profiles, f.up.telemetry, readings.n);
    // The status heartbeat (every heartbeatMs) may not fall into the window: a day of them, at the
    // size of the last status message the gateway sent.
    const statusPerDay = Math.max(perDay(f.up.status), (DAY_MS / config.platform.heartbeatMs) * f.lastPublish.status);
    const day: Record<UplinkClass, number> = {
      status: statusPerDay,
      telemetry: perDay(f.up.telemetry) + heartbeatBytes,
      events: perDay(f.up.events),
      session: perDay(f.up.session),
    };
    const total = day.status + day.telemetry + day.events + day.session;
    const mb = (b: number): number => Math.round(b / 10_000) / 100;
    report('uplink demo site: total', mb(total), 'MB/day');
    report('uplink demo site: status', mb(day.status), `MB/day (one every ${config.platform.heartbeatMs / 1000} s, ${f.lastPublish.status} B each)`);
    report('uplink demo site: telemetry', mb(day.telemetry), `MB/day (${f.publishes.telemetry} messages, ${readings.n} readings stored in ${WINDOW_MS / 1000} s; heartbeats estimated ${mb(heartbeatBytes)} MB/day)`);
    report('uplink demo site: status, telemetry and session', mb(day.status + day.telemetry + day.session), 'MB/day');
    report('uplink demo site: session (connect, keepalive, acks of receipts)', mb(day.session), 'MB/day');
    report('uplink demo site: downlink (PUBACKs, receipts)', mb(perDay(f.down)), 'MB/day');
    const eventCount = [...kinds.values()].reduce((a, b) => a + b, 0);
    report(
      'uplink demo site: events',
      mb(day.events),
      `MB/day (${config.platform.eventFormat} format: ${eventCount} events in ${f.publishes.events} messages in ${WINDOW_MS / 1000} s, ${Math.round(f.up.events / Math.max(1, eventCount))} B an event on the wire: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`,
    );
    // The meter sees MQTT packets only. A SIM bills IP bytes both ways: every packet also costs its
    // TCP/IP headers (IPv4 20 + TCP 20 + timestamps 12) and, over TLS 1.3, a record header and tag
    // (5 + 1 + 16), and the other side's bare TCP ACK (52) when nothing rides back with it.
    const packets = f.packets.up + f.packets.down;
    const ipDay = total + perDay(f.down + packets * (52 + 22 + 52));
    report('uplink demo site: MQTT bytes both ways (uplink total + downlink)', mb(total + perDay(f.down)), 'MB/day');
    report(
      'uplink demo site: estimate with TCP/IP and TLS overhead, both ways',
      mb(ipDay),
      `MB/day (estimate, not measured: ${packets} MQTT packets in ${WINDOW_MS / 1000} s, each its own TLS 1.3 record and TCP segment with a bare ACK back)`,
    );
    const kindsOf = (k: string): string => {
      const all = [...raised.values()].filter((e) => e.kind === k);
      return `${all.filter((e) => received.has(e.id)).length} of ${all.length}`;
    };
    report('uplink demo site: alarms delivered', [...raised.values()].filter((e) => e.kind === 'alarm' && received.has(e.id)).length, `(${kindsOf('alarm')} raised)`);
    report('uplink demo site: faults delivered', [...raised.values()].filter((e) => e.kind === 'fault' && received.has(e.id)).length, `(${kindsOf('fault')} raised)`);
    report('uplink demo site: restores delivered', [...raised.values()].filter((e) => e.kind === 'restore' && received.has(e.id)).length, `(${kindsOf('restore')} raised)`);
    const lost = [...raised.keys()].filter((id) => !received.has(id)).length;
    if (lost > 0) throw new Error(`${lost} alarms, faults or restores raised while measuring did not reach the platform`);
  } finally {
    await sub?.endAsync(true);
    await daemon.stop();
    await meter.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
}

/**
 * Bytes per day of the report-by-exception heartbeats the window is too short to contain: for each
 * point whose heartbeat period is longer than the window, one reading per period, at the window's
 * telemetry bytes per reading (they ride in messages that are sent anyway).
 */
function heartbeatEstimate(config: HearthConfig, profiles: DeviceProfiles, telemetryBytes: number, readings: number): number {
  if (readings === 0) return 0;
  let perDay = 0;
  for (const device of config.devices.filter((d) => d.enabled)) {
    const profile = profiles.get(device.id);
    if (profile === undefined) continue;
    for (const p of devicePointSpecs(profilePointSpecs(profile), device)) {
      const silence = reportingFor(p).maxSilenceMs;
      if (silence > WINDOW_MS) perDay += DAY_MS / silence;
    }
  }
  return (perDay * telemetryBytes) / readings;
}
