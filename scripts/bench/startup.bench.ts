import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { Report } from './run.js';
import { GATEWAY_NODE_FLAGS } from './lib/node-flags.js';

/**
 * Start-up to READY=1 for the demo configuration, as systemd sees it: spawn the built daemon
 * (dist/src/main.js) with NOTIFY_SOCKET pointing at a datagram socket we listen on (python3 binds
 * it: Node cannot) and time spawn → READY=1. Target: <= 2 s on this machine. The demo config is
 * copied with free ports, a temp state dir and the web console off (a colleague's component with
 * its own figures). Runs a few times; reports the median and the worst.
 */
const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../../..');
const MAIN = join(ROOT, 'dist/src/main.js');
const RUNS = 5;

const RECEIVER = [
  'import socket, sys',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.bind(sys.argv[1])',
  'print("bound", flush=True)',
  'while True:',
  '    d = s.recv(65536).decode()',
  '    if "READY=1" in d.split("\\n"): print("ready", flush=True)',
].join('\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr !== null && typeof addr !== 'string' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function demoCopy(dir: string): Promise<string> {
  const doc = parseDocument(readFileSync(join(ROOT, 'config/demo.yaml'), 'utf8'));
  const cfg = doc.toJS() as {
    gateway: { stateDir: string };
    buses: { port: number }[];
    demo: { brokerPort: number; simulators: { port: number }[] };
    api?: { enabled?: boolean };
    log: { format: string; level: string };
  };
  const remap = new Map<number, number>();
  for (const s of cfg.demo.simulators) remap.set(s.port, remap.get(s.port) ?? (await freePort()));
  for (const s of cfg.demo.simulators) s.port = remap.get(s.port)!;
  for (const b of cfg.buses) b.port = remap.get(b.port) ?? b.port;
  cfg.demo.brokerPort = await freePort();
  cfg.gateway.stateDir = join(dir, 'state');
  cfg.api = { ...(cfg.api ?? {}), enabled: false };
  cfg.log = { format: 'json', level: 'warn' };
  const file = join(dir, 'demo.yaml');
  // Profiles are resolved relative to the config file's folder: keep the shipped ones findable.
  (cfg as Record<string, unknown>).profilePaths = [join(ROOT, 'drivers/modbus/profiles')];
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

async function once(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-start-'));
  const socketPath = join(dir, 'notify.sock');
  const receiver = spawn('/usr/bin/python3', ['-u', '-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    const seen = (word: string, ms: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${word} within ${ms} ms`)), ms);
        const check = () => {
          if (out.includes(word + '\n')) {
            clearTimeout(timer);
            receiver.stdout.off('data', onData);
            resolve();
          }
        };
        const onData = (d: Buffer) => {
          out += d.toString();
          check();
        };
        receiver.stdout.on('data', onData);
        check();
      });
    await seen('bound', 10_000);
    const file = await demoCopy(dir);
    const t0 = performance.now();
    const daemon = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, MAIN, 'run', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: socketPath } });
    let stderr = '';
    daemon.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
    try {
      await seen('ready', 30_000);
    } catch (err) {
      daemon.kill('SIGKILL');
      throw new Error(`${(err as Error).message}: ${stderr}`);
    }
    const ms = performance.now() - t0;
    daemon.kill('SIGTERM');
    await exited;
    return ms;
  } finally {
    receiver.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(report: Report): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: npm run build`);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await once());
  times.sort((a, b) => a - b);
  report('startup to READY=1 (demo config), median', Math.round(times[Math.floor(times.length / 2)]!), 'ms');
  report('startup to READY=1 (demo config), worst of 5', Math.round(times[times.length - 1]!), 'ms');
}
