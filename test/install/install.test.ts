import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildSource, remove, runScript, scratchRoot, treeListing } from './scratch.js';

/**
 * scripts/install.sh and uninstall.sh into scratch roots (--root, no systemctl): the resulting tree
 * is checked, the installed package runs on its own production dependencies, and a second run
 * changes nothing at all (listing with modes, owners, mtimes and hashes compared).
 */

// A compile and a dozen installs, each copying the production node_modules: on a loaded machine
// that is more than tap's default per-file limit (the comment: see release.test.ts).
t.setTimeout(600_000);
t.comment('timeout=600000');
const source = buildSource();
t.teardown(() => remove(source));
const INSTALL = join(source, 'scripts/install.sh');
const UNINSTALL = join(source, 'scripts/uninstall.sh');
const ARGS = ['--source', source, '--deps', 'copy'];

function etc(root: string, file: string): string {
  return readFileSync(join(root, 'etc', file), 'utf8');
}

t.test('install into a scratch root, then again: the second run changes nothing', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  const first = await runScript(INSTALL, [...ARGS, '--root', root, '--gateway-id', 'site-7', '--gateway-name', "O'Brien House", '--platform-url', 'mqtts://iot.example.net:8883']);
  t.equal(first.code, 0, `first run: ${first.stderr}`);

  // The user, in dialout and gpio.
  t.match(etc(root, 'passwd'), /^hearth:x:\d+:\d+:hearth gateway:\/var\/lib\/hearth:\/usr\/sbin\/nologin$/m);
  t.match(etc(root, 'group'), /^dialout:x:\d+:.*\bhearth\b/m);
  t.match(etc(root, 'group'), /^gpio:x:\d+:.*\bhearth\b/m);

  // The package and its production dependencies, no dev ones, no compiled tests.
  for (const p of ['opt/hearth/current/dist/src/main.js', 'opt/hearth/current/drivers/modbus/profiles/example-smoke-detector.yaml', 'opt/hearth/current/config/hearth.schema.json', 'opt/hearth/current/node_modules/better-sqlite3/package.json', 'opt/hearth/current/node_modules/mqtt/package.json', 'opt/hearth/current/scripts/lib/release.sh']) {
    t.ok(existsSync(join(root, p)), p);
  }
  for (const p of ['opt/hearth/current/node_modules/tap', 'opt/hearth/current/node_modules/typescript', 'opt/hearth/current/dist/test']) t.notOk(existsSync(join(root, p)), `no ${p}`);

  // The unit, enabled, with this machine's node; the command; the udev rule.
  const unit = etc(root, 'systemd/system/hearth.service');
  t.match(unit, new RegExp(`^ExecStart=${process.execPath} (--[a-z-]+(=\\d+)? )*/opt/hearth/current/dist/src/main.js run --config /etc/hearth/hearth.yaml$`, 'm'));
  t.match(unit, /^Type=notify$/m);
  // Never gives up: no start limit; a short restart delay; a config error is not retried.
  t.match(unit, /^StartLimitIntervalSec=0$/m);
  t.notMatch(unit, /^StartLimitBurst=/m);
  t.match(unit, /^RestartSec=1$/m);
  t.match(unit, /^RestartPreventExitStatus=78$/m);
  t.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/hearth.service')), '/etc/systemd/system/hearth.service');
  t.equal(readlinkSync(join(root, 'opt/hearth/current')), `releases/${(JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { version: string }).version}`, 'current -> releases/<version>');
  t.match(unit, /^ReadWritePaths=\/etc\/hearth$/m, 'the service may write its config folder (remote config)');
  t.equal((lstatSync(join(root, 'usr/local/bin/hearth')).mode & 0o777).toString(8), '755');
  t.ok(existsSync(join(root, 'etc/udev/rules.d/60-hearth-gpio.rules')));
  const verify = execFileSync('systemd-analyze', ['verify', join(root, 'etc/systemd/system/hearth.service')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  t.equal(verify.trim(), '', 'systemd-analyze verify accepts the installed unit');

  // Config: from the template, readable by the service only, and valid.
  const cfgPath = join(root, 'etc/hearth/hearth.yaml');
  const cfg = readFileSync(cfgPath, 'utf8');
  t.match(cfg, /^  id: site-7$/m);
  t.match(cfg, /^  url: mqtts:\/\/iot\.example\.net:8883$/m);
  t.match(cfg, /name: 'O''Brien House'/, 'quotes in the name are escaped for YAML');
  const st = lstatSync(cfgPath);
  t.equal((st.mode & 0o777).toString(8), '640');
  const hearthGid = Number(/^hearth:x:\d+:(\d+):/m.exec(etc(root, 'passwd'))![1]);
  t.equal(st.uid, Number(/^hearth:x:(\d+):/m.exec(etc(root, 'passwd'))![1]), 'owned by hearth: remote config replaces it');
  t.equal(st.gid, hearthGid, 'group hearth');
  t.equal(lstatSync(join(root, 'var/lib/hearth')).gid, hearthGid);
  // The installed package runs on its own node_modules (from a neutral cwd): production deps are complete.
  const check = execFileSync(process.execPath, [join(root, 'opt/hearth/current/dist/src/main.js'), 'check', cfgPath], { cwd: '/', encoding: 'utf8' });
  t.match(check, /valid/);
  t.match(first.stdout, /console: http:\/\/.*:8080\//);
  t.match(first.stdout, /hearth token/);

  // Idempotent: a second run (even with other flags) changes no byte, mode, owner or mtime.
  const before = treeListing(root);
  const second = await runScript(INSTALL, [...ARGS, '--root', root, '--gateway-id', 'other-id', '--platform-url', 'mqtts://elsewhere:8883']);
  t.equal(second.code, 0, `second run: ${second.stderr}`);
  t.match(second.stdout, /kept the existing \/etc\/hearth\/hearth\.yaml/);
  const after = treeListing(root);
  t.same(after.filter((l) => !before.includes(l)), [], 'nothing new or changed');
  t.same(before.filter((l) => !after.includes(l)), [], 'nothing removed');

  // The token, once the API created it, is printed.
  writeFileSync(join(root, 'var/lib/hearth/api-token'), 'tok-123\n');
  const third = await runScript(INSTALL, [...ARGS, '--root', root]);
  t.match(third.stdout, /console token: tok-123/);
});

t.test('restart backoff drop-in only where systemd >= 254 knows RestartSteps=; idempotent; removed on a downgrade and by uninstall', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  const dropIn = join(root, 'etc/systemd/system/hearth.service.d/restart-backoff.conf');
  const args = [...ARGS, '--root', root, '--gateway-id', 'site-9', '--platform-url', 'mqtts://iot.example.net:8883'];

  const old = await runScript(INSTALL, [...args, '--systemd-version', '252']);
  t.equal(old.code, 0, old.stderr);
  t.notOk(existsSync(dropIn), 'systemd 252 (bookworm): no drop-in, it would not know the keys');

  const fresh = await runScript(INSTALL, [...args, '--systemd-version', '254']);
  t.equal(fresh.code, 0, fresh.stderr);
  const conf = readFileSync(dropIn, 'utf8');
  t.match(conf, /^\[Service\]$/m);
  t.match(conf, /^RestartSteps=5$/m);
  t.match(conf, /^RestartMaxDelaySec=30$/m);
  t.equal((lstatSync(dropIn).mode & 0o777).toString(8), '644');
  const before = treeListing(root);
  const again = await runScript(INSTALL, [...args, '--systemd-version', '256']);
  t.equal(again.code, 0, again.stderr);
  t.same(treeListing(root), before, 'a second run with a newer systemd changes nothing');

  // An installer's own `systemctl edit` override lives beside it and is never touched.
  writeFileSync(join(root, 'etc/systemd/system/hearth.service.d/override.conf'), '[Service]\nEnvironment=X=1\n');
  const down = await runScript(INSTALL, [...args, '--systemd-version', '252']);
  t.equal(down.code, 0, down.stderr);
  t.notOk(existsSync(dropIn), 'removed when the target systemd does not know the keys');
  t.match(down.stdout, /removed \/etc\/systemd\/system\/hearth\.service\.d\/restart-backoff\.conf/);
  t.ok(existsSync(join(root, 'etc/systemd/system/hearth.service.d/override.conf')), 'the local override stays');

  t.equal((await runScript(INSTALL, [...args, '--systemd-version', 'new'])).code, 64, 'not a number: usage error');

  await runScript(INSTALL, [...args, '--systemd-version', '255']);
  t.ok(existsSync(dropIn));
  const un = await runScript(UNINSTALL, ['--root', root]);
  t.equal(un.code, 0, un.stderr);
  t.notOk(existsSync(dropIn), 'uninstall removes the drop-in');
  t.ok(existsSync(join(root, 'etc/systemd/system/hearth.service.d/override.conf')), 'but not the local override');
});

t.test('refusals: no gateway id for a new config, old node, unknown flag', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  const noId = await runScript(INSTALL, [...ARGS, '--root', root, '--platform-url', 'mqtts://x:8883']);
  t.equal(noId.code, 64);
  t.match(noId.stderr, /--gateway-id/);
  t.notOk(existsSync(join(root, 'etc/hearth/hearth.yaml')));

  const badId = await runScript(INSTALL, [...ARGS, '--root', root, '--gateway-id', 'bad id; rm', '--platform-url', 'mqtts://x:8883']);
  t.equal(badId.code, 64);

  const fakeNode = join(root, 'old-node');
  writeFileSync(fakeNode, '#!/bin/sh\necho 20.18.3\n');
  chmodSync(fakeNode, 0o755);
  const old = await runScript(INSTALL, [...ARGS, '--root', root, '--node', fakeNode]);
  t.equal(old.code, 69);
  t.match(old.stderr, /20\.18\.3 .*too old.*20\.19/);
  t.match(old.stderr, /Node 22 LTS/, 'the hint names the supported major');
  t.match(old.stderr, /setup_22\.x/, 'and how to get it');

  const unknown = await runScript(INSTALL, ['--frobnicate']);
  t.equal(unknown.code, 64);
});

t.test('uninstall keeps config and data unless --purge', async (t) => {
  const root = scratchRoot();
  t.teardown(() => remove(root));
  const inst = await runScript(INSTALL, [...ARGS, '--root', root, '--gateway-id', 'site-8', '--platform-url', 'mqtts://iot.example.net:8883']);
  t.equal(inst.code, 0, inst.stderr);
  mkdirSync(join(root, 'var/lib/hearth'), { recursive: true });
  writeFileSync(join(root, 'var/lib/hearth/outbox.db'), 'unsent alarms');

  const keep = await runScript(UNINSTALL, ['--root', root]);
  t.equal(keep.code, 0, keep.stderr);
  for (const p of ['opt/hearth', 'usr/local/bin/hearth', 'usr/local/sbin/hearth-release', 'etc/systemd/system/hearth.service', 'etc/systemd/system/multi-user.target.wants/hearth.service']) {
    t.notOk(existsSync(join(root, p)), `removed ${p}`);
  }
  t.ok(existsSync(join(root, 'etc/hearth/hearth.yaml')), 'config kept');
  t.equal(readFileSync(join(root, 'var/lib/hearth/outbox.db'), 'utf8'), 'unsent alarms', 'outbox kept');
  t.match(etc(root, 'passwd'), /^hearth:/m, 'user kept');

  const purge = await runScript(UNINSTALL, ['--root', root, '--purge']);
  t.equal(purge.code, 0, purge.stderr);
  t.notOk(existsSync(join(root, 'etc/hearth')));
  t.notOk(existsSync(join(root, 'var/lib/hearth')));
  t.notMatch(etc(root, 'passwd'), /^hearth:/m, 'user removed');
});
