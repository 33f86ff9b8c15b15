import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigWithProfiles, parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { ConfigStore } from '../../src/remote/config-store.js';
import { RemoteConfigManager } from '../../src/remote/remote-config.js';
import { loadWithRemoteRecovery, markStoppedCleanly } from '../../src/remote/startup.js';
import { configText, siteDir } from './fixtures.js';

const REMOTE = `remote:
  enabled: true
  allow: [read_device, apply_config]
actions:
  - { name: sound, when: { kinds: [alarm] }, do: [{ output: siren, mode: on }] }
gpio:
  outputs: [{ name: siren, pin: 18 }]
`;

function site(t: Parameters<typeof siteDir>[0]) {
  const s = siteDir(t);
  const text = configText(s.dir, REMOTE);
  writeFileSync(s.path, text);
  return { ...s, text };
}

function manager(path: string, delegated: string[] = []) {
  return new RemoteConfigManager({ store: new ConfigStore(path), rollbackAfterMs: 60_000, delegated, now: Date.now, restart: () => undefined, logger: silentLogger(), restartDelayMs: 60_000 });
}

t.test('remote, gateway, stateDir and outbox.path are refused however the change is made; actions unless delegated', async (t) => {
  const { dir, path, text } = site(t);
  const m = manager(path);
  const refused = async (what: string, change: Parameters<RemoteConfigManager['apply']>[0], pattern: RegExp) => {
    const r = await m.apply(change, 'test');
    t.equal(r.code, 'config_invalid', `${what}: refused`);
    t.match(r.message ?? '', pattern, `${what}: ${r.message ?? ''}`);
  };
  await refused('remote section widened', { kind: 'section', section: 'remote', value: { enabled: true, allow: ['restart', 'apply_config', 'silence_alarm'] } }, /^remote: owned by the local config/);
  await refused('actions emptied', { kind: 'section', section: 'actions', value: [] }, /^actions: owned by the local config; cannot be changed remotely unless .*remote\.delegate: \[actions\]/);
  await refused('new stateDir in a whole config', { kind: 'whole', text: text.replace(`${join(dir, 'state')}`, join(dir, 'elsewhere')) }, /gateway: owned by the local config/);
  await refused('remote section in a whole config', { kind: 'whole', text: text.replace('allow: [read_device, apply_config]', 'allow: [read_device, apply_config, restart]') }, /remote: owned/);
  await refused('outbox moved', { kind: 'section', section: 'outbox', value: { path: join(dir, 'other.db') } }, /outbox\.path: owned/);
  writeFileSync(join(dir, 'plain-file'), 'x');
  await refused('outbox under a plain file', { kind: 'section', section: 'outbox', value: { path: join(dir, 'plain-file', 'outbox.db') } }, /outbox\.path: .*plain-file is a file/);
  await refused('outbox under /proc', { kind: 'section', section: 'outbox', value: { path: '/proc/self/outbox.db' } }, /kernel pseudo-filesystem/);
  t.equal(readFileSync(path, 'utf8'), text, 'nothing written');
  t.notOk(existsSync(`${path}.pending.json`));
  const ok = await m.apply({ kind: 'section', section: 'outbox', value: { quotaMb: 64 } }, 'test');
  t.equal(ok.ok, true, `other outbox settings may change (${ok.message ?? ''})`);
});

t.test('actions change when the local config delegates them', async (t) => {
  const { path } = site(t);
  const r = await manager(path, ['actions']).apply({ kind: 'section', section: 'actions', value: [{ name: 'sound', when: { kinds: ['alarm', 'fault'] }, do: [{ output: 'siren', mode: 'on' }] }] }, 'test');
  t.equal(r.ok, true, r.message ?? '');
});

t.test('places a config writes to: pseudo-filesystems always refused; usable on this machine only required of a remote config', async (t) => {
  const { dir } = site(t);
  writeFileSync(join(dir, 'plain-file'), 'x');
  const issues = (extra: string, forThisMachine = true): string[] => {
    try {
      parseConfig(configText(dir, extra), join(dir, 'hearth.yaml'), { forThisMachine });
      return [];
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  t.match(issues('outbox: { path: /sys/kernel/outbox.db }').join('\n'), /outbox\.path: .*pseudo-filesystem/);
  t.match(issues(`outbox: { path: ${join(dir, 'plain-file', 'x', 'outbox.db')} }`).join('\n'), /outbox\.path: .*is a file/);
  t.match(issues('outbox: { quotaMb: 1048576 }').join('\n'), /outbox\.quotaMb: .*more than the whole filesystem/);
  t.same(issues(''), [], 'the normal config passes');
  t.match(issues('outbox: { path: /proc/x/outbox.db }', false).join('\n'), /pseudo-filesystem/, 'at start too');
  t.same(issues(`outbox: { path: ${join(dir, 'plain-file', 'x', 'outbox.db')}, quotaMb: 1048576 }`, false), [], 'at start a place unusable today is a storage fault to run through, not a config error');
});

t.test('a crash loop on a config on probation is rolled back at the next start, not at the deadline', async (t) => {
  const { path, text } = site(t);
  const store = new ConfigStore(path);
  const next = text.replace('1883', '1890');
  store.apply(next, Date.now() + 3_600_000, 'test', Date.now());
  const first = await loadWithRemoteRecovery(path, loadConfigWithProfiles);
  t.equal(first.config.platform.url, 'mqtt://localhost:1890', 'the first start runs the new config');
  // That run stops in order (a signal): the next start stays on probation.
  markStoppedCleanly(path);
  const second = await loadWithRemoteRecovery(path, loadConfigWithProfiles);
  t.equal(second.config.platform.url, 'mqtt://localhost:1890', 'after a clean stop the probation goes on');
  // This run crashes (no clean stop recorded): the next start rolls back at once.
  const third = await loadWithRemoteRecovery(path, loadConfigWithProfiles);
  t.equal(third.config.platform.url, 'mqtt://localhost:1883', 'rolled back after the failed run');
  t.notOk(existsSync(`${path}.pending.json`));
  t.equal(readFileSync(path, 'utf8'), text);
});
