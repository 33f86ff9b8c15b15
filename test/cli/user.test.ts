import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readUsers, usersPath } from '../../src/api/access/user-file.js';
import { UserStore } from '../../src/api/access/user-store.js';
import { tokenHash } from '../../src/api/sessions.js';
import { readToken, tokenPath } from '../../src/api/token.js';
import { AuditLog } from '../../src/remote/audit-log.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { nodeArgsFor } from '../helpers/node-entry.js';
import { sibling } from '../helpers/repo.js';

/** hearth user and hearth token on the command line, including as root into the service's state folder. */
const dir = mkdtempSync(join(tmpdir(), 'hearth-user-'));
chmodSync(dir, 0o755); // the "service user" below must reach its state folder
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function configFor(name: string): { config: string; state: string } {
  const state = join(dir, name);
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, `gateway: { id: gw-u, stateDir: ${state} }\nplatform: { url: 'mqtts://platform.example:8883' }\n`, { mode: 0o644 });
  return { config, state };
}

t.test('add, list, rotate, revoke: tokens shown once, only hashes kept, 0600, audited', async (t) => {
  const { config, state } = configFor('basic');
  const added = await runHearth(['user', 'add', 'alice', '--role', 'viewer', '--config', config]);
  t.equal(added.code, 0, added.stderr);
  const token = added.stdout.trim();
  t.match(token, /^[A-Za-z0-9_-]{32}$/);
  t.match(added.stderr, /alice \(viewer\) added/);
  const file = readFileSync(usersPath(state), 'utf8');
  t.notOk(file.includes(token), 'the token itself is not stored');
  t.ok(file.includes(tokenHash(token)), 'its SHA-256 is');
  t.equal(statSync(usersPath(state)).mode & 0o777, 0o600);

  t.equal((await runHearth(['user', 'add', 'alice', '--role', 'installer', '--config', config])).code, 1, 'a name is taken once');
  t.equal((await runHearth(['user', 'add', 'admin', '--role', 'viewer', '--config', config])).code, 1, 'admin is the built-in administrator');
  t.equal((await runHearth(['user', 'add', 'bob', '--config', config])).code, 64, 'a role is required');
  t.equal((await runHearth(['user', 'add', 'bob', '--role', 'root', '--config', config])).code, 64, 'an unknown role is refused');
  t.equal((await runHearth(['user', 'add', 'b b;rm', '--role', 'viewer', '--config', config])).code, 1, 'a bad name is refused');
  t.equal((await runHearth(['user', 'frobnicate', '--config', config])).code, 64);

  t.equal((await runHearth(['user', 'add', 'ivan', '--role', 'installer', '--config', config])).code, 0);
  const list = await runHearth(['user', 'list', '--json', '--config', config]);
  t.match(JSON.parse(list.stdout), [{ name: 'alice', role: 'viewer' }, { name: 'ivan', role: 'installer' }]);
  t.notOk(list.stdout.includes('tokenHash'), 'list shows no hashes');

  const store = new UserStore(state, 0);
  t.equal(store.find(tokenHash(token))?.name, 'alice');
  const rotated = await runHearth(['user', 'rotate', 'alice', '--config', config]);
  t.equal(rotated.code, 0, rotated.stderr);
  t.not(rotated.stdout.trim(), token);
  t.equal(store.find(tokenHash(token)), undefined, 'a running store drops the old token');
  t.equal(store.find(tokenHash(rotated.stdout.trim()))?.role, 'viewer');
  t.equal((await runHearth(['user', 'revoke', 'alice', '--config', config])).code, 0);
  t.equal(store.find(tokenHash(rotated.stdout.trim())), undefined, 'revoked');
  t.equal((await runHearth(['user', 'revoke', 'alice', '--config', config])).code, 1, 'unknown user');
  t.same(readUsers(state).map((u) => u.name), ['ivan']);

  const audit = new AuditLog(state).newest(10).reverse();
  t.match(audit, [
    { command: 'user add', params: { name: 'alice', role: 'viewer' }, via: 'cli', by: /^cli:/ },
    { command: 'user add', params: { name: 'ivan', role: 'installer' }, via: 'cli' },
    { command: 'user rotate', params: { name: 'alice' }, via: 'cli' },
    { command: 'user revoke', params: { name: 'alice' }, via: 'cli' },
  ]);
});

t.test('a garbage users file: the store sets it aside with a fault; the CLI starts a new one', async (t) => {
  const { config, state } = configFor('garbage');
  mkdirSync(state);
  writeFileSync(usersPath(state), '{"users": "not a list"');
  const raised: string[] = [];
  const faults = { raise: (key: string) => void raised.push(key), clear: () => {}, active: () => false };
  const store = new UserStore(state, 0, { faults });
  t.same(store.list(), []);
  t.same(raised, ['state:api-users.json']);
  t.equal((await runHearth(['user', 'add', 'carol', '--role', 'viewer', '--config', config])).code, 0);
  t.same(store.list().map((u) => u.name), ['carol'], 'the store picks up the new file');
});

/** Runs `hearth ARGS` as another user (what the service runs as), from the same sources. */
function runAs(uid: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const main = sibling(import.meta.url, '../../src/main.ts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgsFor(main), ...args], { uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('sudo hearth token --rotate and sudo hearth user add into the service user\'s state folder: the service can read what root wrote', async (t) => {
  if (process.getuid?.() !== 0) return t.plan(0, 'skipped: needs root');
  const SERVICE = 65534;
  const { config, state } = configFor('as-root');
  mkdirSync(state, { mode: 0o700 });
  chownSync(state, SERVICE, SERVICE);
  // The service made its token at first start.
  const first = await runAs(SERVICE, ['token', '--config', config]);
  t.equal(first.code, 0, first.stderr);
  // The installer rotates it with sudo.
  const rotated = await runHearth(['token', '--rotate', '--config', config]);
  t.equal(rotated.code, 0, rotated.stderr);
  const fresh = rotated.stdout.trim();
  t.not(fresh, first.stdout.trim());
  const st = statSync(tokenPath(state));
  t.equal(st.uid, SERVICE, 'the rotated token belongs to the service user');
  t.equal(st.mode & 0o777, 0o600);
  const seen = await runAs(SERVICE, ['token', '--config', config]);
  t.equal(seen.code, 0, seen.stderr);
  t.equal(seen.stdout.trim(), fresh, 'the service reads the new token');
  t.equal(readToken(state), fresh);

  const added = await runHearth(['user', 'add', 'resident-101', '--role', 'viewer', '--config', config]);
  t.equal(added.code, 0, added.stderr);
  t.equal(statSync(usersPath(state)).uid, SERVICE, 'the users file belongs to the service user');
  t.equal(statSync(join(state, 'remote-audit.jsonl')).uid, SERVICE, 'so does the audit log root started');
  const listed = await runAs(SERVICE, ['user', 'list', '--json', '--config', config]);
  t.equal(listed.code, 0, listed.stderr);
  t.match(JSON.parse(listed.stdout), [{ name: 'resident-101', role: 'viewer' }]);
  const rotatedUser = await runHearth(['user', 'rotate', 'resident-101', '--config', config]);
  t.equal(rotatedUser.code, 0);
  t.equal(statSync(usersPath(state)).uid, SERVICE);
  // The service can still change the file root wrote (the API's user routes run as the service).
  const byService = await runAs(SERVICE, ['user', 'add', 'installer-1', '--role', 'installer', '--config', config]);
  t.equal(byService.code, 0, byService.stderr);
});
