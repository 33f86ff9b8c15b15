import { execFileSync } from 'node:child_process';
import { createReadStream, chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { startModbusTcpServer, type ModbusTcpServer } from '../../src/bus/modbus/tcp-server.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import { resolveProfileRef } from '../../src/config/profiles.js';
import { writeProfileValues } from '../../src/sim/profile-registers.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { signedParams, type Operator } from '../remote/signing-fixtures.js';

export const GW = 'upd-gw';
const profile = loadProfileSync(resolveProfileRef('example-smoke-detector', [])!);

/**
 * A systemctl stand-in that runs the real daemon of the release `current` points to, in the
 * background, as the unit would (without sd_notify: "active" is "the process is alive"):
 * restart stops the running one (SIGTERM, then SIGKILL after 15 s) and starts current's.
 */
export function daemonSystemctl(root: string): string {
  const path = join(root, 'daemon-systemctl');
  const pid = join(root, 'daemon.pid');
  writeFileSync(
    path,
    `#!/bin/bash
pidf="${pid}"
alive() { [ -s "$pidf" ] && st="$(awk '{ print $3 }' "/proc/$(cat "$pidf")/stat" 2>/dev/null)" && [ -n "$st" ] && [ "$st" != Z ]; }
stop() {
  alive || return 0
  kill -TERM "$(cat "$pidf")"
  for _ in $(seq 1 150); do alive || return 0; sleep 0.1; done
  kill -KILL "$(cat "$pidf")" 2>/dev/null || true
}
case "$1" in
  restart)
    echo "restart $(readlink "${root}/opt/hearth/current")" >> "${root}/systemctl.log"
    stop
    setsid "${process.execPath}" "${root}/opt/hearth/current/dist/src/main.js" run --config "${root}/etc/hearth/hearth.yaml" >> "${root}/daemon.log" 2>&1 < /dev/null &
    echo $! > "$pidf" ;;
  stop) stop ;;
  is-active) if alive; then echo active; else echo failed; fi ;;
esac
exit 0
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** Serves the files of `dir` on 127.0.0.1 (the bundle server a platform would name in the command). */
export async function serveDir(dir: string): Promise<{ url: (file: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const file = join(dir, basename(decodeURIComponent(req.url ?? '/')));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/gzip' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (file) => `http://127.0.0.1:${port}/${basename(file)}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export function bundleFacts(file: string): { sha256: string; size: number } {
  return { sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), size: statSync(file).size };
}

/** The live config of the scratch root: one smoke detector over Modbus TCP, ThingsBoard codec, remote updates allowed. */
export function writeSiteConfig(root: string, op: Operator, brokerUrl: string, modbusPort: number): void {
  writeFileSync(join(root, 'etc/hearth/tb.token'), 'update-test-token\n');
  writeFileSync(
    join(root, 'etc/hearth/hearth.yaml'),
    `gateway: { id: ${GW}, stateDir: ${join(root, 'var/lib/hearth')} }
buses:
  - { id: tcp, type: modbus-tcp, host: 127.0.0.1, port: ${modbusPort} }
devices:
  - { id: smoke-1, profile: example-smoke-detector, bus: tcp, address: 1, pollIntervalMs: 200, location: { room: hall } }
platform:
  url: ${brokerUrl}
  codec: thingsboard
  thingsboard: { accessTokenFile: tb.token }
api: { enabled: false }
log: { level: info, format: json }
remote:
  enabled: true
  keys: [{ id: ${op.kid}, publicKey: ${op.entry.publicKey} }]
  allow: [update_software]
`,
  );
}

/** The platform side: a real broker, the field (one smoke detector), and signed RPCs with their answers. */
export class Platform {
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  private n = 0;

  private constructor(
    readonly broker: Mosquitto,
    readonly client: MqttClient,
    readonly modbus: ModbusTcpServer,
    private readonly map: RegisterMap,
  ) {}

  static async start(): Promise<Platform> {
    const broker = await Mosquitto.start();
    const map = new RegisterMap();
    map.addUnit(1);
    writeProfileValues(map, 1, profile, { smoke_density: 0.01, temperature: 21, chamber_contamination: 5, fire_alarm: false });
    const modbus = await startModbusTcpServer({ map });
    const client = await mqtt.connectAsync(broker.url, { clientId: 'platform-side' });
    const p = new Platform(broker, client, modbus, map);
    client.on('message', (topic, payload) => {
      const m = /^v1\/devices\/me\/rpc\/response\/(.+)$/.exec(topic);
      if (m === null) return;
      try {
        p.responses.push({ id: m[1]!, body: JSON.parse(payload.toString()) as Record<string, unknown> });
      } catch {
        // not ours
      }
    });
    await client.subscribeAsync('v1/devices/me/rpc/response/+', { qos: 1 });
    return p;
  }

  fireAlarm(on: boolean): void {
    writeProfileValues(this.map, 1, profile, { fire_alarm: on, smoke_density: on ? 0.5 : 0.01 });
  }

  /** Sends a signed update_software; returns its request id. */
  async update(op: Operator, params: Record<string, unknown>): Promise<string> {
    const id = `u${++this.n}`;
    const signed = signedParams(op, 'update_software', params, { gw: GW, ts: Date.now() });
    await this.client.publishAsync(`v1/devices/me/rpc/request/${id}`, JSON.stringify({ method: 'update_software', params: signed }), { qos: 1 });
    return id;
  }

  /** The answers to request `id` so far. */
  answers(id: string): Record<string, unknown>[] {
    return this.responses.filter((r) => r.id === id).map((r) => r.body);
  }

  async answer(id: string, code?: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    await waitFor(() => this.answers(id).some((b) => code === undefined || b.code === code), timeoutMs, 100);
    return this.answers(id).find((b) => code === undefined || b.code === code)!;
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
    await this.modbus.close();
    await this.broker.stop();
  }
}

export function readLink(root: string, name: string): string {
  return execFileSync('readlink', [join(root, 'opt/hearth', name)], { encoding: 'utf8' }).trim();
}
