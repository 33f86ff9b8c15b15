import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildBundle, fakeSystemctl, repack, runOffline } from './bundles.js';
import { buildSource, remove, scratchRoot } from './scratch.js';

/**
 * Release bundles and versioned installs (scripts/bundle.sh, scripts/install.sh --bundle,
 * scripts/lib/release.sh, scripts/hearth-release), in scratch roots and with no network at all
 * (each install runs in a network namespace of its own): install, upgrade, roll back, and the
 * releases that must never become current (tampered, not loadable, not starting).
 */

// A compile, three bundles and a dozen installs: more than tap's default per-file limit. The
// comment is how the runner hears it when the process has no IPC channel.
t.setTimeout(900_000);
t.comment('timeout=900000');
const source = buildSource();
const out = mkdtempSync(join(tmpdir(), 'hearth-bundles-'));
t.teardown(() => (remove(source), remove(out)));
const INSTALL = join(source, 'scripts/install.sh');
const RELEASE = join(source, 'scripts/hearth-release');
const NEW_SITE = ['--gateway-id', 'site-r', '--platform-url', 'mqtts://iot.example.net:8883'];

const current = (root: string): string => readlinkSync(join(root, 'opt/hearth/current'));
const previous = (root: string): string => readlinkSync(join(root, 'opt/hearth/previous'));
const ms = (start: bigint): number => Number((process.hrtime.bigint() - start) / 1_000_000n);
const built = process.hrtime.bigint();
const first = buildBundle(source, out, '1.0.0');
const buildMs = ms(built);

t.test('bundle: install offline, upgrade, roll back; state untouched; refusals leave current as it was', async (t) => {
  t.comment(`bundle ${first.split('/').pop()}: ${(statSync(first).size / 1e6).toFixed(1)} MB, built in ${buildMs} ms`);
  t.match(readFileSync(`${first}.sha256`, 'utf8'), /^[0-9a-f]{64} {2}hearth-1\.0\.0-linux-[a-z0-9]+\.tar\.gz\n$/);
  const listing = execFileSync('tar', ['-tzf', first], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const p of ['dist/src/main.js', 'node_modules/better-sqlite3/package.json', 'systemd/hearth.service', 'scripts/install.sh', 'scripts/lib/release.sh', 'docs/installer-guide.en.md', 'drivers/modbus/profiles/example-smoke-detector.yaml', 'scripts/templates/hearth.yaml.in', 'BUILD-INFO']) {
    t.match(listing, new RegExp(`^hearth-1\\.0\\.0-linux-[^/]+/${p.replace(/\./g, '\\.')}$`, 'm'), p);
  }
  t.notMatch(listing, /\/node_modules\/(tap|typescript)\/package\.json$/m, 'no dev dependencies');
  t.notMatch(listing, /^[^/]+\/dist\/(test|scripts)\/|^[^/]+\/dist\/.*\.test\.js/m, 'no compiled tests or benchmarks');

  const root = scratchRoot();
  t.teardown(() => remove(root));
  let start = process.hrtime.bigint();
  const inst = await runOffline(INSTALL, ['--bundle', first, '--root', root, ...NEW_SITE]);
  t.equal(inst.code, 0, inst.stderr);
  t.comment(`install from the bundle, no network: ${ms(start)} ms`);
  t.match(inst.stdout, /checksum ok/);
  t.match(inst.stdout, /selftest passed/);
  t.equal(current(root), 'releases/1.0.0');
  t.notOk(existsSync(join(root, 'opt/hearth/previous')), 'nothing to go back to yet');
  const cfg = join(root, 'etc/hearth/hearth.yaml');
  t.match(execFileSync(process.execPath, [join(root, 'opt/hearth/current/dist/src/main.js'), 'check', cfg], { encoding: 'utf8', cwd: '/' }), /valid/);

  // State the gateway wrote: an upgrade and a rollback must leave it byte for byte.
  mkdirSync(join(root, 'var/lib/hearth'), { recursive: true });
  writeFileSync(join(root, 'var/lib/hearth/outbox.db'), 'unsent alarms');
  appendFileSync(cfg, '# edited on site\n');
  const state = () => [readFileSync(cfg, 'utf8'), readFileSync(join(root, 'var/lib/hearth/outbox.db'), 'utf8')];
  const before = state();

  const second = buildBundle(source, out, '1.1.0');
  const up = await runOffline(INSTALL, ['--bundle', second, '--root', root]);
  t.equal(up.code, 0, up.stderr);
  t.equal(current(root), 'releases/1.1.0', 'upgraded');
  t.equal(previous(root), 'releases/1.0.0', 'the previous release kept');
  t.ok(existsSync(join(root, 'opt/hearth/releases/1.0.0/node_modules/better-sqlite3/package.json')), 'complete, with its node_modules');
  t.same(state(), before, 'config and outbox untouched by the upgrade');

  start = process.hrtime.bigint();
  const back = await runOffline(RELEASE, ['rollback', '--root', root]);
  t.equal(back.code, 0, back.stderr);
  t.comment(`rollback: ${ms(start)} ms`);
  t.equal(current(root), 'releases/1.0.0', 'rolled back');
  t.equal(previous(root), 'releases/1.1.0', 'and the newer one is now previous');
  t.same(state(), before, 'config and outbox untouched by the rollback');
  const list = await runOffline(RELEASE, ['list', '--root', root]);
  t.match(list.stdout, /^1\.0\.0 \(current\)$/m);
  t.match(list.stdout, /^1\.1\.0 \(previous\)$/m);

  // Tampered: one byte changed after the checksum was made.
  const tampered = join(out, 'tampered', 'hearth-2.0.0-linux-x.tar.gz');
  mkdirSync(join(out, 'tampered'));
  writeFileSync(tampered, readFileSync(second));
  writeFileSync(`${tampered}.sha256`, readFileSync(`${second}.sha256`, 'utf8').replace(/ .*/, '  hearth-2.0.0-linux-x.tar.gz'));
  appendFileSync(tampered, 'x');
  const bad = await runOffline(INSTALL, ['--bundle', tampered, '--root', root]);
  t.equal(bad.code, 65, 'checksum mismatch refused');
  t.match(bad.stderr, /checksum mismatch/);
  rmSync(`${tampered}.sha256`);
  t.equal((await runOffline(INSTALL, ['--bundle', tampered, '--root', root])).code, 65, 'no checksum at all: refused');

  // Not loadable: no node_modules (what an interrupted `npm ci` left behind before releases).
  const empty = repack(first, out, '3.0.0', (dir) => rmSync(join(dir, 'node_modules'), { recursive: true }));
  const noDeps = await runOffline(INSTALL, ['--bundle', empty, '--root', root]);
  t.equal(noDeps.code, 1);
  t.match(noDeps.stdout, /FAIL +hearth modules: Cannot find package/);
  t.match(noDeps.stderr, /release 3\.0\.0 refused: the running release is unchanged/);
  t.equal(current(root), 'releases/1.0.0', 'not switched');
  t.notOk(existsSync(join(root, 'opt/hearth/releases/3.0.0')), 'not even placed');

  // A broken main.js: the smoke start fails the same way.
  const broken = repack(first, out, '3.0.1', (dir) => writeFileSync(join(dir, 'dist/src/main.js'), 'throw new Error("broken build");\n'));
  t.equal((await runOffline(INSTALL, ['--bundle', broken, '--root', root])).code, 1);
  t.equal(current(root), 'releases/1.0.0', 'not switched');
});

t.test('a release that passes the smoke test but does not start is rolled back by itself', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  const systemctl = fakeSystemctl(root);
  const env = { HEARTH_SYSTEMCTL: systemctl, HEARTH_SETTLE_S: '0' };
  const good = first;
  const inst = await runOffline(INSTALL, ['--bundle', good, '--root', root, '--ready-timeout', '5', ...NEW_SITE], env);
  t.equal(inst.code, 0, inst.stderr + inst.stdout);
  t.match(inst.stdout, /hearth 1\.0\.0 is running/);

  // Starts fail: the daemon's start path is broken, while every module still loads.
  const noStart = repack(good, out, '4.0.0', (dir) => writeFileSync(join(dir, 'dist/src/cli/commands/version.js'), 'throw new Error("cannot start");\n'));
  const start = process.hrtime.bigint();
  const up = await runOffline(INSTALL, ['--bundle', noStart, '--root', root, '--ready-timeout', '3'], env);
  t.equal(up.code, 1, 'the install reports the failure');
  t.comment(`automatic rollback after a failed start (3 s deadline): ${ms(start)} ms`);
  t.match(up.stdout, /did not become ready within 3 s: rolling back to 1\.0\.0/);
  t.match(up.stdout, /rolled back: hearth 1\.0\.0 is running/);
  t.equal(current(root), 'releases/1.0.0', 'the previous release runs again');
  t.equal(previous(root), 'releases/4.0.0', 'the failed one is kept for inspection');
  t.same(readFileSync(join(root, 'fake-systemctl.log'), 'utf8').trim().split('\n'), ['restart releases/1.0.0', 'restart releases/4.0.0', 'restart releases/1.0.0']);
});

t.test('remote config can write /etc/hearth as the service user: folder 1770 root:hearth (sticky), files 0640', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  chmodSync(root, 0o755); // the service user must reach into the scratch root, as into /
  t.equal((await runOffline(INSTALL, ['--bundle', first, '--root', root, ...NEW_SITE])).code, 0);
  const dir = join(root, 'etc/hearth');
  const [, uid, gid] = /^hearth:x:(\d+):(\d+):/m.exec(readFileSync(join(root, 'etc/passwd'), 'utf8'))!;
  const st = lstatSync(dir);
  t.equal((st.mode & 0o7777).toString(8), '1770', 'group-writable and sticky');
  t.equal([st.uid, st.gid].join(':'), `0:${gid}`);
  t.equal((lstatSync(join(dir, 'tls')).mode & 0o777).toString(8), '750', 'tls stays read-only to the service');
  const store = join(root, 'opt/hearth/current/dist/src/remote/config-store.js');
  const cfg = join(dir, 'hearth.yaml');
  const script = `const { ConfigStore } = await import(${JSON.stringify(store)}); const s = new ConfigStore(${JSON.stringify(cfg)}); s.apply(s.read() + '# remote\\n', Date.now() + 60000, 'test', Date.now());`;
  execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, '--input-type=module', '-e', script], { cwd: '/' });
  t.match(readFileSync(cfg, 'utf8'), /# remote\n$/, 'the config replaced by the service user');
  // Sticky: the service cannot move root's entries aside (and put certificates of its own there).
  const tls = join(dir, 'tls');
  t.throws(() => execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'mv', tls, `${tls}.moved`], { stdio: 'ignore' }), 'tls/ cannot be renamed by the service');
  t.ok(existsSync(tls));
  for (const f of ['hearth.yaml', 'hearth.yaml.last-good', 'hearth.yaml.pending.json']) {
    const s = lstatSync(join(dir, f));
    t.equal((s.mode & 0o777).toString(8), '640', `${f} 0640`);
    t.equal([s.uid, s.gid].join(':'), `${uid}:${gid}`, `${f} hearth:hearth`);
  }
});

t.test('an install from before releases (/opt/hearth/dist) is kept as the previous release on the first upgrade', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  t.equal((await runOffline(INSTALL, ['--bundle', first, '--root', root, ...NEW_SITE])).code, 0);
  // Turn it into the old layout: the package directly in /opt/hearth, no links.
  const opt = join(root, 'opt/hearth');
  execFileSync('/bin/sh', ['-c', 'cd "$1" && rm current && mv releases/1.0.0/* . && rm -r releases', 'sh', opt]);
  t.ok(existsSync(join(opt, 'dist/src/main.js')));
  const up = await runOffline(INSTALL, ['--bundle', buildBundle(source, out, '1.2.0'), '--root', root]);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /kept the installed version as release 1\.0\.0/);
  t.equal(current(root), 'releases/1.2.0');
  t.equal(previous(root), 'releases/1.0.0', 'the old install, now a release to roll back to');
  t.notOk(existsSync(join(opt, 'dist')), 'nothing left of the old layout at the top');
  t.ok(existsSync(join(opt, 'releases/1.0.0/node_modules/better-sqlite3/package.json')));
});
