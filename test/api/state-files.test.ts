import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import t from 'tap';
import { RegisterMap } from '../../src/bus/modbus/register-map.js';
import { createSimBus } from '../../src/bus/modbus/sim-bus.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { readToken } from '../../src/api/token.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { freePort, waitFor } from '../helpers/net.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { eventFilters, eventsIn } from '../helpers/platform-events.js';

/**
 * The console's state file and the API token are convenient, not vital: broken or unwritable,
 * the daemon (in-process, simulated RS-485 line, real Mosquitto as the platform) still starts,
 * the file is moved aside, and the fault reaches the platform as an event.
 */

const broker = await Mosquitto.start();
const apiPort = () => freePort();
t.teardown(() => broker.close());
let gatewayNo = 0;

interface Gateway {
  daemon: Daemon;
  stateDir: string;
  logs(): string;
  /** Event bodies the platform received (native codec). */
  events: Record<string, unknown>[];
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
}

async function startGateway(t: { teardown(fn: () => unknown): void }, stateDir: string): Promise<Gateway> {
  const id = `gw-state-${++gatewayNo}`;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-state-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway: { id: ${id}, stateDir: ${stateDir}, clockSync: assume-synced, location: { building: B1 } }
buses:
  - { id: line-1, type: modbus-rtu, port: /dev/null-sim, baudRate: 9600, timeoutMs: 200 }
devices:
  - { id: smoke-1, profile: example-smoke-detector, bus: line-1, address: 1, pollIntervalMs: 500, location: { building: B1, floor: '1', room: hall } }
platform: { kind: mqtt, url: '${broker.url}', mqttVersion: '5' }
outbox: { path: ${join(dir, 'outbox.db')} }
api: { enabled: true, host: 127.0.0.1, port: ${await apiPort()} }
log: { level: info }
`,
  );
  const { config, profiles } = await loadConfigWithProfiles(file);
  const events: Record<string, unknown>[] = [];
  const platform = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  t.teardown(() => platform.endAsync());
  platform.on('message', (topic, payload) => events.push(...eventsIn(topic, payload)));
  await platform.subscribeAsync(eventFilters(id), { qos: 1 });
  let logs = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  const map = new RegisterMap();
  map.addUnit(1);
  const daemon = new Daemon({
    config,
    profiles,
    logger: createLogger({ level: 'info', format: 'json' }, out),
    busFactory: (cfg) => createSimBus({ id: cfg.id, map, timeoutMs: 100 }),
  });
  await daemon.start();
  t.teardown(() => daemon.stop());
  return {
    daemon,
    stateDir,
    logs: () => logs,
    events,
    api: (path, init = {}) => {
      const { token, ...rest } = init;
      return fetch(`http://127.0.0.1:${daemon.apiPort()}${path}`, { ...rest, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    },
  };
}

const faultsFor = (g: Gateway, point: string) => g.events.filter((e) => e.pt === point);
const asideOf = (dir: string, name: string) => readdirSync(dir).filter((f) => f.startsWith(`${name}.unreadable-`));

for (const [name, consoleState, token] of [
  ['empty', '', ''],
  ['truncated', '{"acks":{},"silences":{},"testAlarms":[{"eventId":"e1","dev', '\u0000\u0001garbage\u00ff'],
  ['garbage', '\u00ff\u00fe\u0000binary', 'two words'],
] as const) {
  t.test(`console-state.json ${name} and a broken api-token: moved aside, faults upstream, the daemon starts, the new token logs in`, async (t) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hearth-state-'));
    t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
    writeFileSync(join(stateDir, 'console-state.json'), consoleState);
    writeFileSync(join(stateDir, 'api-token'), token, { mode: 0o600 });
    const g = await startGateway(t, stateDir);

    t.equal(asideOf(stateDir, 'console-state.json').length, 1, 'console state moved aside');
    t.equal(readFileSync(join(stateDir, asideOf(stateDir, 'console-state.json')[0]!), 'utf8'), consoleState, 'kept as it was');
    t.equal(asideOf(stateDir, 'api-token').length, 1, 'token file moved aside');
    const fresh = readToken(stateDir);
    t.ok(fresh !== undefined && fresh.length >= 32, 'a new token was written');
    t.match(g.logs(), /a new token is in .*api-token \(hearth token prints it\)/, 'the log says where the token is');

    await waitFor(() => faultsFor(g, 'state:console-state.json').length > 0 && faultsFor(g, 'state:api-token').length > 0, 20_000);
    t.match(faultsFor(g, 'state:console-state.json')[0], { kind: 'fault', dev: g.daemon.gatewayParts().config.gateway.id, msg: /moved aside/ });
    t.match(faultsFor(g, 'state:api-token')[0], { kind: 'fault', msg: /moved aside/ });

    t.equal((await g.api('/api/status')).status, 401);
    const status = await g.api('/api/status', { token: fresh! });
    t.equal(status.status, 200, 'the console works with the new token');
    const sent = await g.api('/api/test-alarm', { method: 'POST', token: fresh!, body: '{}' });
    t.equal(sent.status, 200, 'and writes its state again');
    await waitFor(() => existsSync(join(stateDir, 'console-state.json')), 10_000);
    await waitFor(() => g.events.some((e) => e.kind === 'restore' && e.pt === 'state:console-state.json'), 20_000);
  });
}

t.test('a read-only state directory (tmpfs remounted ro, or else one that is not a directory): the daemon starts, faults say why', async (t) => {
  const fs = mountTmpfs(t, 256);
  let stateDir: string;
  if (fs !== undefined) {
    stateDir = fs.dir;
    fs.readOnly();
  } else {
    // No mount allowed here: a "directory" that is a file fails every read and write (ENOTDIR), the same path.
    const base = mkdtempSync(join(tmpdir(), 'hearth-state-'));
    t.teardown(() => rmSync(base, { recursive: true, force: true }));
    writeFileSync(join(base, 'file'), '');
    stateDir = join(base, 'file', 'state');
  }
  const g = await startGateway(t, stateDir);
  t.ok(g.daemon.apiPort()! > 0, 'the API listens');
  t.equal((await g.api('/api/status', { token: 'anything-anyone-could-guess' })).status, 401, 'nobody knows the in-memory token');
  t.match(g.logs(), /nobody can log in to the console or the API until the state directory is writable/);
  await waitFor(() => faultsFor(g, 'state:api-token').length > 0, 20_000);
  t.match(faultsFor(g, 'state:api-token')[0], { kind: 'fault', msg: /cannot be read or stored/ });
});

t.test('a read-only card that already holds the token: login works, a console write fails as a fault, never as a crash', async (t) => {
  const fs = mountTmpfs(t, 256);
  if (fs === undefined) return t.plan(0, 'skipped: no tmpfs mount here (test/storage/small-state.test.ts injects the failure)');
  const token = 'k'.repeat(32);
  writeFileSync(join(fs.dir, 'api-token'), `${token}\n`, { mode: 0o600 });
  writeFileSync(join(fs.dir, 'console-state.json'), '{"acks":{},"silences":{},"testAlarms":[]}');
  fs.readOnly();
  const g = await startGateway(t, fs.dir);
  const sent = await g.api('/api/test-alarm', { method: 'POST', token, body: '{}' });
  t.equal(sent.status, 200, 'the test alarm is sent although its record cannot be saved');
  await waitFor(() => faultsFor(g, 'state:console-state.json').length > 0, 20_000);
  t.match(faultsFor(g, 'state:console-state.json')[0], { kind: 'fault', msg: /cannot be written \(EROFS\)/ });
  t.equal((await g.api('/api/test-alarms', { token })).status, 200, 'the console goes on answering');
});

t.test('disk full under the console state (real tmpfs): the write fails as a fault, the process runs on, and recovers', async (t) => {
  const fs = mountTmpfs(t, 256);
  if (fs === undefined) return t.plan(0, 'skipped: no tmpfs mount here (test/storage/small-state.test.ts injects the failure)');
  const stateDir = join(fs.dir, 'state');
  mkdirSync(stateDir);
  const g = await startGateway(t, stateDir);
  const token = readToken(stateDir)!;
  const filler = fs.fill();
  for (let i = 0; i < 3; i++) t.equal((await g.api('/api/test-alarm', { method: 'POST', token, body: '{}' })).status, 200);
  await waitFor(() => faultsFor(g, 'state:console-state.json').length > 0, 20_000);
  t.match(faultsFor(g, 'state:console-state.json')[0], { msg: /cannot be written \(ENOSPC\)/ });
  unlinkSync(filler);
  // Retried with backoff, no further request needed.
  await waitFor(() => g.events.some((e) => e.kind === 'restore' && e.pt === 'state:console-state.json'), 30_000);
  const saved = JSON.parse(readFileSync(join(stateDir, 'console-state.json'), 'utf8')) as { testAlarms: unknown[] };
  t.equal(saved.testAlarms.length, 3, 'every record written once the disk had room');
});

t.test('a garbage api-users.json: moved aside, fault upstream, the daemon starts; the administrator token works, users added again log in; API actions reach the audit log', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'hearth-state-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  writeFileSync(join(stateDir, 'api-users.json'), '{"users":[{"name":"x","role":"root"', { mode: 0o600 });
  const g = await startGateway(t, stateDir);
  t.equal(asideOf(stateDir, 'api-users.json').length, 1, 'moved aside');
  await waitFor(() => faultsFor(g, 'state:api-users.json').length > 0, 20_000);
  t.match(faultsFor(g, 'state:api-users.json')[0], { kind: 'fault', msg: /api-users.json was unusable.*the administrator token still works/ });
  const admin = readToken(stateDir)!;
  t.equal((await g.api('/api/status', { token: admin })).status, 200, 'the administrator token works');
  const added = await g.api('/api/users', { method: 'POST', token: admin, body: JSON.stringify({ name: 'flat-101', role: 'viewer' }) });
  t.equal(added.status, 201);
  const { token } = (await added.json()) as { token: string };
  t.equal((await g.api('/api/status', { token })).status, 200, 'a user added again logs in');
  t.equal((await g.api('/api/test-alarm', { method: 'POST', token, body: '{}' })).status, 403, 'as a viewer');
  const lines = readFileSync(join(stateDir, 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(lines.find((e) => e.command === 'POST /api/users'), { user: 'admin', via: 'api', params: { name: 'flat-101', role: 'viewer' }, outcome: 'done' }, "the daemon's audit log");
  t.match(lines.find((e) => e.command === 'POST /api/test-alarm'), { user: 'flat-101', role: 'viewer', outcome: 'rejected', code: 'API_FORBIDDEN' });
});
