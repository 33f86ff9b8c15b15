import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { ConfigStore, configVersion } from '../../src/remote/config-store.js';
import { RemoteConfigManager } from '../../src/remote/remote-config.js';
import { loadWithRemoteRecovery } from '../../src/remote/startup.js';
import { waitFor } from '../helpers/net.js';
import { siteDir } from './fixtures.js';

function manager(path: string, restarts: string[], rollbackAfterMs = 10_000, now = () => Date.now()) {
  return new RemoteConfigManager({ store: new ConfigStore(path), rollbackAfterMs, now, restart: (w) => restarts.push(w), logger: silentLogger(), restartDelayMs: 1, checkEveryMs: 20 });
}

t.test('a valid section change is validated, written atomically, kept as pending, and restarts', async (t) => {
  const { path, text } = siteDir(t);
  const restarts: string[] = [];
  const m = manager(path, restarts);
  const result = await m.apply({ kind: 'section', section: 'platform', value: { url: 'mqtt://localhost:1884' } }, 'platform:native#c1');
  t.equal(result.ok, true);
  const written = readFileSync(path, 'utf8');
  t.match(written, /mqtt:\/\/localhost:1884/);
  t.match(written, /# site config/, 'comments kept');
  t.equal(result.data?.version, configVersion(written), 'the new version is reported');
  t.equal(result.data?.previousVersion, configVersion(text));
  t.equal(readFileSync(`${path}.last-good`, 'utf8'), text, 'the running config is kept as last-good');
  t.ok(existsSync(`${path}.pending.json`));
  await waitFor(() => restarts.length === 1);
  await loadConfigWithProfiles(path); // loads as the daemon would
});

t.test('an invalid change is rejected with path-named errors and nothing changes', async (t) => {
  const { path, text } = siteDir(t);
  const restarts: string[] = [];
  const m = manager(path, restarts);
  const bad = await m.apply({ kind: 'section', section: 'devices', value: [{ id: 'smoke-1', profile: 'example-smoke-detector', bus: 'line9', address: 300, location: { room: 'x' } }] }, 'x');
  t.equal(bad.ok, false);
  t.equal(bad.code, 'config_invalid');
  const errors = bad.data?.errors as string[];
  t.ok(errors.some((e) => e.startsWith('devices[0].address:')), errors.join('\n'));
  const threshold = await m.apply({ kind: 'threshold', deviceId: 'smoke-1', point: 'smoke_density', threshold: { hysteresis: -1 } }, 'x');
  t.equal(threshold.ok, false);
  t.match(threshold.message ?? '', /devices\[0\]\.thresholds\.smoke_density\.hysteresis/);
  const identity = await m.apply({ kind: 'section', section: 'gateway', value: { id: 'other' } }, 'x');
  t.equal(identity.code, 'config_invalid');
  t.equal(readFileSync(path, 'utf8'), text, 'config untouched');
  t.notOk(existsSync(`${path}.pending.json`));
  t.same(restarts, []);
});

t.test('set_threshold edits one point of one device', async (t) => {
  const { path } = siteDir(t);
  const m = manager(path, []);
  const r = await m.apply({ kind: 'threshold', deviceId: 'smoke-1', point: 'smoke_density', threshold: { high: 0.2 } }, 'x');
  t.equal(r.ok, true, r.message ?? '');
  const { config } = await loadConfigWithProfiles(path);
  t.equal(config.devices[0]!.thresholds?.smoke_density?.high, 0.2);
});

t.test('a change that never reaches the platform is rolled back within the set time; one that does is confirmed', async (t) => {
  const { path, text } = siteDir(t);
  const restarts: string[] = [];
  const m = manager(path, restarts, 300);
  await m.apply({ kind: 'section', section: 'platform', value: { url: 'mqtt://localhost:9' } }, 'x');
  // The restarted gateway, on the new config, never connects.
  const started = Date.now();
  const after = manager(path, restarts, 300);
  t.ok(after.watchProbation(() => false));
  await waitFor(() => restarts.some((r) => r.startsWith('rollback')), 10_000);
  t.ok(Date.now() - started < 5000, 'rolled back soon after the deadline');
  t.equal(readFileSync(path, 'utf8'), text, 'the last good config is back');
  t.notOk(existsSync(`${path}.pending.json`));

  const restarts2: string[] = [];
  const ok = manager(path, restarts2, 60_000);
  await ok.apply({ kind: 'section', section: 'platform', value: { url: 'mqtt://localhost:1885' } }, 'x');
  const newText = readFileSync(path, 'utf8');
  const next = manager(path, restarts2, 60_000);
  next.watchProbation(() => true);
  t.notOk(existsSync(`${path}.pending.json`), 'confirmed at once');
  t.equal(readFileSync(`${path}.last-good`, 'utf8'), newText, 'the new config is now the last good one');
  next.stop();
});

t.test('startup recovery: expired probation rolled back before loading; a pending config that does not load is rolled back', async (t) => {
  const { path, text } = siteDir(t);
  const store = new ConfigStore(path);
  store.apply(text.replace('1883', '1886'), Date.now() - 1, 'x', Date.now());
  const loaded = await loadWithRemoteRecovery(path, loadConfigWithProfiles);
  t.equal(loaded.config.platform.url, 'mqtt://localhost:1883');
  // A config that passed validation but fails at load on this machine (a profile file removed since).
  store.apply(text.replace('example-smoke-detector', 'gone-profile'), Date.now() + 60_000, 'x', Date.now());
  const again = await loadWithRemoteRecovery(path, loadConfigWithProfiles);
  t.equal(again.config.devices[0]!.profile, 'example-smoke-detector');
});
