import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureToken, readToken, rotateToken, TokenStore, tokenPath } from '../../src/api/token.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-token-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('made once, 0600, random, rotated', async (t) => {
  const state = join(dir, 'a');
  t.equal(readToken(state), undefined);
  const token = ensureToken(state);
  t.ok(token.length >= 32, 'long enough to be unguessable');
  t.equal(statSync(tokenPath(state)).mode & 0o777, 0o600);
  t.equal(ensureToken(state), token, 'the same token on the next start');
  t.not(ensureToken(join(dir, 'b')), token, 'per gateway');
  const store = new TokenStore(state, 0);
  t.equal(store.current(), token);
  const fresh = rotateToken(state);
  t.not(fresh, token);
  t.equal(statSync(tokenPath(state)).mode & 0o777, 0o600);
  t.equal(store.current(), fresh, 'a running store picks up the rotation');
});

t.test('hearth token and hearth token --rotate', async (t) => {
  const config = join(dir, 'hearth.yaml');
  writeFileSync(config, `gateway: { id: gw-t, stateDir: ${dir}/cli-state }\nplatform: { url: 'mqtts://platform.example:8883' }\n`);
  const first = await runHearth(['token', '--config', config]);
  t.equal(first.code, 0, first.stderr);
  const token = first.stdout.trim();
  t.equal(token, readToken(join(dir, 'cli-state')));
  const again = await runHearth(['token', '--config', config]);
  t.equal(again.stdout.trim(), token);
  const rotated = await runHearth(['token', '--config', config, '--rotate']);
  t.equal(rotated.code, 0);
  t.not(rotated.stdout.trim(), token);
  t.equal(rotated.stdout.trim(), readToken(join(dir, 'cli-state')));
  t.match(rotated.stderr, /new token written/);
  const bad = await runHearth(['token', '--nope']);
  t.equal(bad.code, 64);
});

t.test('an empty or garbage token file is moved aside and replaced; the fault and the log say where the token is', async (t) => {
  for (const [name, content] of [['empty', '\n'], ['garbage', '\u0000\u0001\u00ff not a token']] as const) {
    const state = join(dir, `broken-${name}`);
    mkdirSync(state);
    writeFileSync(tokenPath(state), content, { mode: 0o600 });
    const raised: string[] = [];
    const logged: string[] = [];
    const faults = { raise: (key: string, message: string) => void raised.push(`${key}: ${message}`), clear: () => {}, active: () => false };
    const logger = { ...silentLogger(), warn: (_o: object, msg?: string) => void logged.push(msg ?? ''), error: (_o: object, msg?: string) => void logged.push(msg ?? '') } as unknown as Logger;
    const store = new TokenStore(state, 0, { faults, logger });
    t.equal(store.persisted, true, name);
    t.equal(store.current(), readToken(state), `${name}: the new token is in the file`);
    const aside = readdirSync(state).filter((f) => f.startsWith('api-token.unreadable-'));
    t.equal(aside.length, 1, `${name}: moved aside`);
    t.equal(readFileSync(join(state, aside[0]!), 'utf8'), content, `${name}: kept as it was`);
    t.match(raised, [/^state:api-token: api-token was unusable/]);
    t.match(logged, [/a new token is in .*api-token \(hearth token prints it\)/]);
  }
});

t.test('a state directory that cannot hold the token: a token nobody knows, an error line and a fault, never a throw', async (t) => {
  writeFileSync(join(dir, 'not-a-dir'), '');
  const raised: string[] = [];
  const faults = { raise: (key: string) => void raised.push(key), clear: () => {}, active: () => false };
  const store = new TokenStore(join(dir, 'not-a-dir', 'state'), 0, { faults });
  t.equal(store.persisted, false);
  t.ok(store.current().length >= 32, 'a random token all the same');
  t.same(raised, ['state:api-token']);
});

t.test('hearth token repairs an empty token file the same way', async (t) => {
  const config = join(dir, 'repair.yaml');
  writeFileSync(config, `gateway: { id: gw-r, stateDir: ${dir}/repair-state }\nplatform: { url: 'mqtts://platform.example:8883' }\n`);
  mkdirSync(join(dir, 'repair-state'));
  writeFileSync(join(dir, 'repair-state', 'api-token'), '');
  const res = await runHearth(['token', '--config', config]);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout.trim(), readToken(join(dir, 'repair-state')));
  t.match(res.stderr, /is empty: moved it aside to .*api-token\.unreadable-.*; new token written/);
});

t.test('hearth scan --tcp against pymodbus', async (t) => {
  const port = await freePort();
  const server = await startPymodbus({ mode: 'tcp', port, units: [5] });
  t.teardown(() => server.stop());
  const res = await runHearth(['scan', '--tcp', `127.0.0.1:${port}`, '--from', '1', '--to', '6', '--json']);
  t.equal(res.code, 0, res.stderr);
  t.same(JSON.parse(res.stdout).found, [{ unit: 5, reply: 'ok' }]);
  const text = await runHearth(['scan', '--tcp', `127.0.0.1:${port}`, '--from', '4', '--to', '5']);
  t.match(text.stdout, /unit 5: answers\n1 slave\(s\) found/);
  t.equal((await runHearth(['scan'])).code, 64, 'no bus named: usage');
});
