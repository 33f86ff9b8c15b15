import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { readToken } from '../../src/api/token.js';
import type { Report } from './run.js';

/**
 * The installer's API under load, on loopback: a real daemon (20 detectors on a simulated line
 * polled every second, outbox on disk, uplink to the embedded broker) serving GET /api/status to
 * an open-loop generator in a child process at 200 requests/s for 10 s. Then the console's
 * first-load transfer size: the page and every file it references, gzipped as served.
 */
const RATE = 200;
const DURATION_S = 10;
const UNITS = Array.from({ length: 20 }, (_, i) => i + 1);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function fetchRaw(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; body: Buffer; encoding?: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const r: { status: number; bytes: number; body: Buffer; encoding?: string } = { status: res.statusCode ?? 0, bytes: body.length, body };
        if (res.headers['content-encoding'] !== undefined) r.encoding = res.headers['content-encoding'];
        resolve(r);
      });
    }).on('error', reject);
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-api-'));
  const [apiPort, brokerPort] = [await freePort(), await freePort()];
  const devices = UNITS.map(
    (u) => `  - { id: smoke-${u}, profile: example-smoke-detector, bus: line, address: ${u}, pollIntervalMs: 1000, location: { building: B, floor: '${1 + (u % 6)}' } }`,
  ).join('\n');
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway: { id: gw-bench-api, stateDir: ${dir}/state, clockSync: assume-synced }
buses: [ { id: line, type: modbus-rtu, port: /dev/sim, baudRate: 9600 } ]
devices:
${devices}
api: { host: 127.0.0.1, port: ${apiPort} }
log: { level: error }
demo: { brokerPort: ${brokerPort} }
`,
  );
  const { config, profiles } = await loadConfigWithProfiles(file);
  const map = new RegisterMap();
  for (const u of UNITS) map.addUnit(u);
  const daemon = new Daemon({
    config,
    profiles,
    logger: silentLogger(),
    busFactory: (cfg) => createSimBus({ id: cfg.id, map, timeoutMs: cfg.timeoutMs }),
  });
  await daemon.start();
  try {
    const token = readToken(config.gateway.stateDir)!;
    const base = `http://127.0.0.1:${apiPort}`;
    await new Promise((r) => setTimeout(r, 1500)); // every device polled at least once

    const child = fork(fileURLToPath(new URL('./lib/api-load.js', import.meta.url)), { stdio: 'inherit' });
    const result = await new Promise<{ latenciesMs: number[]; errors: number; dropped: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('load generator did not finish'));
      }, (DURATION_S + 30) * 1000);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as { latenciesMs: number[]; errors: number; dropped: number });
      });
      child.once('error', reject);
      child.send({ url: `${base}/api/status`, headers: { authorization: `Bearer ${token}` }, rate: RATE, durationS: DURATION_S, maxInFlight: 200 });
    });
    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    report(`api status p50 at ${RATE} req/s`, percentile(sorted, 50), 'ms');
    report(`api status p99 at ${RATE} req/s (target <= 20)`, percentile(sorted, 99), 'ms');
    report(`api status max at ${RATE} req/s`, sorted.at(-1) ?? NaN, 'ms');
    report('api status requests failed or dropped', result.errors + result.dropped, 'requests');

    const enc = { 'accept-encoding': 'gzip' };
    const page = await fetchRaw(`${base}/`, enc);
    const plain = await fetchRaw(`${base}/`, {});
    const refs = [...plain.body.toString('utf8').matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    let gz = page.bytes;
    let raw = plain.bytes;
    for (const ref of refs) {
      const a = await fetchRaw(`${base}${ref}`, enc);
      const b = await fetchRaw(`${base}${ref}`, {});
      if (a.status !== 200 || a.encoding !== 'gzip') throw new Error(`${ref}: ${a.status}, encoding ${a.encoding ?? 'none'}`);
      gz += a.bytes;
      raw += b.bytes;
    }
    report(`console first load, gzipped (${refs.length + 1} files, target <= 200 KB)`, gz / 1024, 'KB');
    report('console first load, uncompressed', raw / 1024, 'KB');
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
