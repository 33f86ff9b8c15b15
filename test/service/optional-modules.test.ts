import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { freePort, waitFor } from '../helpers/net.js';
import { nodeArgsFor } from '../helpers/node-entry.js';
import { repoPath, sibling } from '../helpers/repo.js';

/**
 * A gateway loads only the parts its config uses (src/daemon.ts, src/daemon/): with the console
 * off, a real platform broker, no centres, no demo and no gpio section, `hearth run` never loads
 * fastify, the console's modules, aedes, the simulators, the GB/T 26875 codec or the GPIO
 * backends. Asked of the running process itself (every script V8 holds, loaded-scripts-child.ts);
 * the same config with the console on does load fastify, so the check can see it.
 */

const CHILD = sibling(import.meta.url, './loaded-scripts-child.ts');
const START_MS = 60_000;
const RUNNING = /"msg":"hearth \S+ running"/;

async function runAndList(t: Test, api: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-modules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Nothing listens on these ports: the device is offline and the uplink retries, which is enough.
  const [modbusPort, brokerPort] = [await freePort(), await freePort()];
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    [
      `gateway: { id: gw-modules, location: { building: Test }, stateDir: ${dir}/state, clockSync: assume-synced }`,
      'log: { level: info, format: json }',
      `api: ${api}`,
      'buses:',
      `  - { id: tcp-1, type: modbus-tcp, host: 127.0.0.1, port: ${modbusPort}, timeoutMs: 500 }`,
      'devices:',
      `  - { id: d1, profile: ${repoPath('drivers/modbus/profiles/example-smoke-detector.yaml')}, bus: tcp-1, address: 1, pollIntervalMs: 1000, location: { building: Test, floor: '1', room: r1 } }`,
      `platform: { url: 'mqtt://127.0.0.1:${brokerPort}', allowInsecure: true, codec: native }`,
      '',
    ].join('\n'),
  );
  const proc = spawn(process.execPath, [...nodeArgsFor(CHILD), '--config', file], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`the gateway exited ${proc.exitCode}\n${out}`);
    return RUNNING.test(out);
  }, START_MS).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- output ---\n${out}`);
  });
  const answer = new Promise<{ scripts?: string[]; error?: string }>((r) => proc.once('message', (m) => r(m as { scripts?: string[] })));
  proc.send('scripts');
  const { scripts, error } = await answer;
  if (scripts === undefined) throw new Error(`no script list: ${error}`);
  proc.kill('SIGTERM');
  t.equal(await exited, 0, 'stops cleanly');
  return scripts;
}

const has = (scripts: string[], part: string): boolean => scripts.some((s) => s.includes(part));

t.test('console off, external platform: fastify, aedes, the console and the simulators are never loaded', async (t) => {
  const scripts = await runAndList(t, '{ enabled: false }');
  // The list is real: the parts this config uses are in it.
  t.ok(has(scripts, '/node_modules/jsmodbus/'), 'jsmodbus loaded (the device is polled)');
  t.ok(has(scripts, '/node_modules/mqtt/'), 'mqtt.js loaded (the uplink)');
  t.ok(has(scripts, '/src/daemon.js') || has(scripts, '/src/daemon.ts'), 'the daemon');
  for (const part of ['/node_modules/fastify/', '/node_modules/prom-client/', '/node_modules/aedes/', '/node_modules/iconv-lite/', '/node_modules/onoff/', '/src/api/', '/src/sim/', '/src/uplink/gbt26875/', '/src/bus/gpio/create.']) {
    t.notOk(has(scripts, part), `${part} not loaded`);
  }
});

t.test('console on: fastify and the console are loaded (the check sees them)', async (t) => {
  const scripts = await runAndList(t, `{ enabled: true, host: 127.0.0.1, port: ${await freePort()} }`);
  t.ok(has(scripts, '/node_modules/fastify/'), 'fastify loaded');
  t.ok(has(scripts, '/src/api/server.'), 'the console server loaded');
  t.notOk(has(scripts, '/node_modules/aedes/'), 'still no embedded broker');
});
