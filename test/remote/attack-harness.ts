import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { startModbusTcpServer, type ModbusTcpServer } from '../../src/bus/modbus/tcp-server.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import { resolveProfileRef } from '../../src/config/profiles.js';
import { writeProfileValues } from '../../src/sim/profile-registers.js';
import { startHearth, type RunningHearth } from '../helpers/hearth-cli.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { freePort, waitFor } from '../helpers/net.js';
import type { Operator } from './signing-fixtures.js';

export const GW = 'attack-gw';
export const UNITS = [1, 2, 3, 4];
export const POLL_MS = 200;
const profile = loadProfileSync(resolveProfileRef('example-smoke-detector', [])!);

/**
 * A gateway as a site runs it (the hearth CLI in its own process, ThingsBoard codec, four smoke
 * detectors polled over Modbus TCP, remote management on with one operator key) on a broker that
 * lets anyone publish, and the attacker's side: an anonymous MQTT client. The test side also
 * measures the field: reads served per unit (the poll rate) and, for an alarm it raises, the time
 * from the first read that carried it to the platform receiving the event.
 */
export class GatewayUnderAttack {
  readonly reads = new Map<number, number>();
  private readonly armed = new Map<number, { servedAt?: number }>();
  private readonly arrivals: { device: string; kind: string; at: number }[] = [];
  readonly responses: { id: string; body: Record<string, unknown>; at: number }[] = [];

  private constructor(
    readonly dir: string,
    readonly broker: Mosquitto,
    readonly modbus: ModbusTcpServer,
    readonly map: RegisterMap,
    readonly hearth: RunningHearth,
    readonly platform: MqttClient,
    readonly attacker: MqttClient,
    private readonly apiPort: number,
  ) {}

  static async start(op: Operator, remoteExtra = ''): Promise<GatewayUnderAttack> {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-attack-'));
    const broker = await Mosquitto.start();
    const map = new RegisterMap();
    for (const u of UNITS) {
      map.addUnit(u);
      writeProfileValues(map, u, profile, { smoke_density: 0.01, temperature: 21, chamber_contamination: 5, fire_alarm: false });
    }
    const modbus = await startModbusTcpServer({ map });
    const apiPort = await freePort();
    writeFileSync(join(dir, 'tb.token'), 'attack-test-token\n');
    const devices = UNITS.map((u) => `  - { id: smoke-${u}, profile: example-smoke-detector, bus: tcp, address: ${u}, pollIntervalMs: ${POLL_MS}, location: { room: r${u} } }`).join('\n');
    writeFileSync(
      join(dir, 'hearth.yaml'),
      `gateway: { id: ${GW}, stateDir: ${join(dir, 'state')} }
buses:
  - { id: tcp, type: modbus-tcp, host: 127.0.0.1, port: ${modbus.port} }
devices:
${devices}
platform:
  url: ${broker.url}
  codec: thingsboard
  thingsboard: { accessTokenFile: tb.token }
api: { enabled: true, host: 127.0.0.1, port: ${apiPort} }
log: { level: warn, format: json }
remote:
  enabled: true
  keys: [{ id: ${op.kid}, publicKey: ${op.entry.publicKey} }]
  allow: [read_device, ack_alarm, silence_alarm, set_threshold, commissioning_report, apply_config, restart]
${remoteExtra}`,
    );
    const platform = await mqtt.connectAsync(broker.url, { clientId: 'platform-side' });
    const attacker = await mqtt.connectAsync(broker.url, { clientId: 'attacker' });
    const hearth = startHearth(['run', '--config', join(dir, 'hearth.yaml')]);
    const g = new GatewayUnderAttack(dir, broker, modbus, map, hearth, platform, attacker, apiPort);
    g.watchField();
    await platform.subscribeAsync(['v1/gateway/telemetry', 'v1/devices/me/rpc/response/+', 'v1/gateway/connect'], { qos: 1 });
    platform.on('message', (topic, payload) => g.onPlatformMessage(topic, payload));
    // Polling under way at every unit, and the gateway connected to the platform.
    await waitFor(() => UNITS.every((u) => (g.reads.get(u) ?? 0) > 3) && g.connected, 60_000);
    return g;
  }

  private connected = false;

  private onPlatformMessage(topic: string, payload: Buffer): void {
    const at = performance.now();
    if (topic === 'v1/gateway/connect') {
      this.connected = true;
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString()) as Record<string, unknown>;
    } catch {
      return;
    }
    const m = /^v1\/devices\/me\/rpc\/response\/(.+)$/.exec(topic);
    if (m !== null) {
      this.responses.push({ id: m[1]!, body, at });
      return;
    }
    this.connected = true;
    for (const [device, rows] of Object.entries(body)) {
      for (const row of rows as { values?: Record<string, unknown> }[]) {
        const kind = row.values?.event_kind;
        this.arrivals.push({ device, kind: typeof kind === 'string' ? kind : 'telemetry', at });
      }
    }
  }

  arrivalsOf(kind: string): number {
    return this.arrivals.filter((a) => a.kind === kind).length;
  }

  /** Counts reads per unit and notes the first read after an alarm was raised in the registers. */
  private watchField(): void {
    const read = this.map.readRegisters.bind(this.map);
    this.map.readRegisters = (unit, area, start, count) => {
      this.reads.set(unit, (this.reads.get(unit) ?? 0) + 1);
      const armed = this.armed.get(unit);
      if (armed !== undefined && armed.servedAt === undefined && area === 'input' && start <= 4 && start + count > 4) armed.servedAt = performance.now();
      return read(unit, area, start, count);
    };
  }

  totalReads(): number {
    return [...this.reads.values()].reduce((a, b) => a + b, 0);
  }

  /** Raises a fire alarm at `unit`, waits for the platform to get it; returns ms from the read that carried it to the platform. Then restores. */
  async alarmLatency(unit: number): Promise<number> {
    const before = this.arrivals.filter((a) => a.kind === 'alarm' && a.device === `smoke-${unit}`).length;
    const mark = { servedAt: undefined as number | undefined };
    this.armed.set(unit, mark);
    writeProfileValues(this.map, unit, profile, { fire_alarm: true });
    await waitFor(() => this.arrivals.filter((a) => a.kind === 'alarm' && a.device === `smoke-${unit}`).length > before, 20_000, 2);
    const arrival = this.arrivals.filter((a) => a.kind === 'alarm' && a.device === `smoke-${unit}`).at(-1)!;
    this.armed.delete(unit);
    const restores = this.arrivalsOf('restore');
    writeProfileValues(this.map, unit, profile, { fire_alarm: false });
    await waitFor(() => this.arrivalsOf('restore') > restores, 20_000);
    return arrival.at - mark.servedAt!;
  }

  /** Sends a command as the platform would (to the gateway device) from the attacker's client and waits for the answer. */
  async command(requestId: string, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.attacker.publishAsync(`v1/devices/me/rpc/request/${requestId}`, JSON.stringify({ method, params }), { qos: 1 });
    await waitFor(() => this.responses.some((r) => r.id === requestId), 15_000);
    return this.responses.find((r) => r.id === requestId)!.body;
  }

  /** The gateway's Prometheus metrics, read with the built-in administrator token. */
  async metrics(): Promise<string> {
    const token = readFileSync(join(this.dir, 'state', 'api-token'), 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${this.apiPort}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    return res.text();
  }

  async stop(): Promise<void> {
    await this.hearth.stop();
    await this.attacker.endAsync(true);
    await this.platform.endAsync(true);
    await this.modbus.close();
    await this.broker.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
