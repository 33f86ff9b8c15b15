import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureToken, readToken, rotateToken, TokenStore, tokenPath } from '../../src/api/token.js';
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
