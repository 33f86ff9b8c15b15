import mqtt from 'mqtt';
import { shippedPlatform } from '../helpers/shipped-platform.js';
import type { GatewayEvent } from '../../src/model/event.js';
import type { Reading } from '../../src/model/reading.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { decodeTelemetry, isTelemetryTopic } from '../helpers/telemetry.js';
import { MemoryOutbox } from './memory-outbox.js';
import { eventsIn } from '../helpers/platform-events.js';

/**
 * A fleet of gateway uplinks in one process against one Mosquitto: each gateway is the real
 * UplinkSession with its own small outbox (in memory, ./memory-outbox.ts) and the platform
 * section's defaults (reconnect 1-60 s, telemetry in compact columns once a minute), as a city's
 * gateways would run. The broker is restarted with every gateway connected; the figures say how
 * they came back.
 */
export interface FleetOptions {
  gateways: number;
  /** Gateways that have a fire alarm waiting when the broker comes back. */
  withFireAlarm: number;
  /** How long the broker stays down. */
  outageMs: number;
  /** Gives up waiting for the fleet to come back after this. */
  comeBackWithinMs?: number;
}

export interface FleetFigures {
  gateways: number;
  /** First reconnect after the broker came back, earliest to latest (ms). */
  reconnectSpreadMs: number;
  /** Reconnects per 10 s after the broker came back (the shape of the wave). */
  reconnectsPer10s: number[];
  /** Most successful connections one gateway made in any 60 s, over the whole run. */
  maxConnectsPerClientPerMinute: number;
  /** Broker back → reconnected, worst of the gateways with a fire alarm waiting (ms). */
  fireAlarmReconnectWorstMs: number;
  /** Broker back → fire alarm at the platform's subscriber, worst (ms). */
  fireAlarmDeliveredWorstMs: number;
  /** Records committed and records the platform received (readings by (gw, seq), events by id). */
  committed: number;
  received: number;
  /** Records still in some outbox at the end. */
  leftInOutboxes: number;
  /** Seconds spent: setting up, first connections, outage and return, delivery of the rest. */
  phasesS: Record<string, number>;
}

interface Gateway {
  id: string;
  outbox: MemoryOutbox;
  session: UplinkSession;
  connects: number[];
}

const PREFIX = 'hearth/v1';

export async function runFleet(opts: FleetOptions): Promise<FleetFigures> {
  // Persistence: the platform's subscriber keeps its session and queue across the restart.
  const broker = await Mosquitto.start({ persistence: true, extra: ['max_inflight_messages 0', 'max_queued_messages 1000000'] });
  const gateways: Gateway[] = [];
  const seen = new Set<string>();
  const fireSeenAt = new Map<string, number>();
  const expected = new Set<string>();
  let sub: mqtt.MqttClient | undefined;
  const phasesS: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string): void => {
    phasesS[name] = Math.round((performance.now() - mark) / 100) / 10;
    mark = performance.now();
  };
  try {
    sub = await mqtt.connectAsync(broker.url, { clientId: 'fleet-platform', clean: false, reconnectPeriod: 200 });
    sub.on('message', (topic, payload) => {
      const gw = topic.split('/')[2]!;
      if (isTelemetryTopic(topic)) for (const r of decodeTelemetry(topic, payload)) seen.add(`${gw}/${r.seq}`);
      else
        for (const { id } of eventsIn(topic, payload) as { id: string }[]) {
          seen.add(id);
          if (!fireSeenAt.has(id)) fireSeenAt.set(id, performance.now());
        }
    });
    await sub.subscribeAsync([`${PREFIX}/+/telemetry/#`, `${PREFIX}/+/telemetry`, `${PREFIX}/+/events/#`, `${PREFIX}/+/ev`], { qos: 1 });

    const platform = shippedPlatform(broker.url, 'fleet');
    for (let i = 0; i < opts.gateways; i++) {
      const id = `fleet-gw-${String(i).padStart(4, '0')}`;
      const outbox = new MemoryOutbox();
      const connects: number[] = [];
      const logger = { debug: () => undefined, info: (_o: object, msg?: string) => void (msg === 'uplink connected' && connects.push(performance.now())), warn: () => undefined, error: () => undefined };
      const session = new UplinkSession({ platform: { ...platform, clientId: id }, gatewayId: id, outbox, logger });
      gateways.push({ id, outbox, session, connects });
    }
    phase('setup');
    // The fleet was running before the test: sessions start over two seconds, not in one tick.
    for (const [i, g] of gateways.entries()) {
      g.session.start();
      if (i % 50 === 49) await sleep(100);
    }
    await waitFor(() => gateways.every((g) => g.session.state().connected), 60_000, 100);
    for (const g of gateways) commit(g, expected, reading);
    await waitFor(() => gateways.every((g) => g.outbox.total() === 0), 90_000, 200);
    phase('connect');

    await broker.stop();
    await waitFor(() => gateways.every((g) => !g.session.state().connected), 30_000, 50);
    // Readings go on being stored during the outage; some gateways raise a fire alarm.
    for (const g of gateways) commit(g, expected, reading);
    const urgent = gateways.slice(0, opts.withFireAlarm);
    const fireIds = urgent.map((g) => commit(g, expected, fireAlarm));
    await sleep(opts.outageMs);
    const back = performance.now();
    await broker.start();
    await waitFor(() => gateways.every((g) => g.connects.some((c) => c > back)), opts.comeBackWithinMs ?? 100_000, 100);
    phase('outage and return');
    await waitFor(() => [...expected].every((k) => seen.has(k)), 60_000, 200).catch(() => undefined);
    // The platform may have a message before its PUBACK is back at the gateway.
    await waitFor(() => gateways.every((g) => g.outbox.total() === 0), 10_000, 100).catch(() => undefined);
    phase('delivery');

    const firstBack = gateways.map((g) => g.connects.find((c) => c > back)! - back);
    const wave: number[] = [];
    for (const ms of firstBack) wave[Math.floor(ms / 10_000)] = (wave[Math.floor(ms / 10_000)] ?? 0) + 1;
    return {
      gateways: gateways.length,
      reconnectSpreadMs: Math.round(Math.max(...firstBack) - Math.min(...firstBack)),
      reconnectsPer10s: Array.from(wave, (n) => n ?? 0),
      maxConnectsPerClientPerMinute: Math.max(...gateways.map((g) => maxInWindow(g.connects, 60_000))),
      fireAlarmReconnectWorstMs: Math.round(Math.max(...urgent.map((g) => g.connects.find((c) => c > back)! - back))),
      fireAlarmDeliveredWorstMs: Math.round(Math.max(...fireIds.map((id) => (fireSeenAt.get(id) ?? Infinity) - back))),
      committed: expected.size,
      received: [...expected].filter((k) => seen.has(k)).length,
      leftInOutboxes: gateways.reduce((n, g) => n + g.outbox.total(), 0),
      phasesS,
    };
  } finally {
    await Promise.all(gateways.map((g) => g.session.stop()));
    await sub?.endAsync(true);
    await broker.close();
  }
}

/** Appends one record to a gateway's outbox and notes what the platform must receive; returns its key. */
function commit(g: Gateway, expected: Set<string>, make: (gw: string, seq: number) => Reading | GatewayEvent): string {
  const record = make(g.id, g.outbox.next());
  const key = 'kind' in record ? record.id : `${g.id}/${record.seq}`;
  if ('kind' in record) g.outbox.appendEvent(record);
  else g.outbox.appendReading(record);
  expected.add(key);
  return key;
}

function reading(gw: string, seq: number): Reading {
  return { gatewayId: gw, deviceId: 'rcd-1', point: 'residual_current', value: 40 + (seq % 7), unit: 'mA', quality: 'good', ts: Date.now(), synced: true, mono: performance.now(), seq };
}

function fireAlarm(gw: string, seq: number): GatewayEvent {
  return {
    id: `${gw}-fire-${seq}`,
    kind: 'alarm',
    severity: 'fire',
    gatewayId: gw,
    deviceId: 'smoke-1',
    point: 'fire_alarm',
    value: true,
    message: 'fire alarm',
    location: { building: 'A', floor: '1', room: '101' },
    ts: Date.now(),
    synced: true,
    mono: performance.now(),
    seq,
  };
}

/** Most timestamps within any window of `ms`. */
function maxInWindow(times: readonly number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= ms) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
