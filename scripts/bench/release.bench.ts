import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repack } from '../../test/install/bundles.js';
import { bundleFacts, daemonSystemctl, GW, Platform, readLink, serveDir, writeSiteConfig } from '../../test/install/update-rig.js';
import { waitFor } from '../../test/helpers/net.js';
import { operator } from '../../test/remote/signing-fixtures.js';
import type { Report } from './run.js';

/**
 * Release figures (docs/installer-guide.en.md, 1.2-1.3): bundle size, install time from the bundle
 * into a scratch root with no network, upgrade time, rollback time (a link switch; on a gateway
 * the restart and the wait for READY come on top), and a remote software update end to end
 * (docs/remote-management.md, "Software update"): signed command sent over Mosquitto to a running
 * daemon -> bundle downloaded and verified -> root updater installs, restarts, sees READY and the
 * reconnect; and the same for a release that never reconnects, rolled back after its deadline.
 * Needs root (the installer creates a user in the scratch root's own files) and a built tree
 * (`npm run bench` builds first).
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ROLLBACK_DEADLINE_S = 10;

/** A remote update and an automatic rollback after one, on a daemon run from a scratch root. */
async function remoteUpdate(report: Report, first: string, out: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hearth-bench-update-'));
  const served = join(out, 'served');
  mkdirSync(served);
  mkdirSync(join(root, 'etc'));
  for (const f of ['passwd', 'group', 'shadow', 'gshadow', 'os-release']) if (existsSync(join('/etc', f))) copyFileSync(join('/etc', f), join(root, 'etc', f));
  const op = operator('ops');
  const platform = await Platform.start();
  const http = await serveDir(served);
  const systemctl = daemonSystemctl(root);
  try {
    execFileSync('/bin/bash', [join(REPO, 'scripts/install.sh'), '--bundle', first, '--root', root, '--gateway-id', GW, '--platform-url', 'mqtt://127.0.0.1:1', '--update-key', `ops=${op.entry.publicKey}`], { stdio: 'ignore' });
    writeSiteConfig(root, op, platform.broker.url, platform.modbus.port);
    execFileSync('/bin/bash', [systemctl, 'restart']);
    await waitFor(() => existsSync(join(root, 'daemon.log')) && readFileSync(join(root, 'daemon.log'), 'utf8').includes('uplink connected'), 30_000, 50);
    const good = repack(first, served, '2.0.0', () => undefined);
    const silent = repack(first, served, '2.1.0', (dir) => {
      const f = join(dir, 'dist/src/remote/update/update-files.js');
      writeFileSync(f, readFileSync(f, 'utf8').replace("'connected.json'", "'never-written.json'"));
    });
    const apply = (deadline: number): void => {
      const args = [join(root, 'opt/hearth/current/scripts/hearth-release'), 'apply', join(root, 'var/lib/hearth/update/request.json'), '--root', root, '--node', process.execPath, '--deadline', String(deadline)];
      try {
        execFileSync('/bin/bash', args, { stdio: 'ignore', env: { ...process.env, HEARTH_SYSTEMCTL: systemctl, HEARTH_SETTLE_S: '1' } });
      } catch {
        // the rollback exits 1; the links say what happened
      }
    };
    const staged = async (file: string, version: string): Promise<void> => {
      const id = await platform.update(op, { version, url: http.url(file), ...bundleFacts(file) });
      await platform.answer(id, 'update_staged', 60_000);
    };
    let t = Date.now();
    await staged(good, '2.0.0');
    report('release_remote_update_staged', Date.now() - t, 'ms');
    apply(120);
    if (readLink(root, 'current') !== 'releases/2.0.0') throw new Error('the remote update did not install');
    report('release_remote_update', Date.now() - t, 'ms');
    t = Date.now();
    await staged(silent, '2.1.0');
    apply(ROLLBACK_DEADLINE_S);
    if (readLink(root, 'current') !== 'releases/2.0.0') throw new Error('the failed update was not rolled back');
    report(`release_remote_update_rollback_${ROLLBACK_DEADLINE_S}s_deadline`, Date.now() - t, 'ms');
  } finally {
    execFileSync('/bin/bash', [systemctl, 'stop']);
    await http.close();
    await platform.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function run(report: Report): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('release.bench: skipped (needs root for install.sh --root)\n');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'hearth-bench-bundles-'));
  const root = mkdtempSync(join(tmpdir(), 'hearth-bench-root-'));
  try {
    const bundle = (version: string): string => {
      const said = execFileSync('/bin/bash', [join(REPO, 'scripts/bundle.sh'), '--out', out, '--version', version], { encoding: 'utf8' });
      return /^bundle: (\S+) /m.exec(said)?.[1] ?? '';
    };
    let t = Date.now();
    const first = bundle('1.0.0');
    report('release_bundle_build', Date.now() - t, 'ms');
    report('release_bundle_size', statSync(first).size / 1e6, 'MB');
    const second = bundle('1.1.0');
    mkdirSync(join(root, 'etc'));
    for (const f of ['passwd', 'group', 'shadow', 'gshadow', 'os-release']) if (existsSync(join('/etc', f))) copyFileSync(join('/etc', f), join(root, 'etc', f));
    const offline = (script: string, args: string[]): void => void execFileSync('unshare', ['-n', '/bin/bash', join(REPO, 'scripts', script), ...args], { stdio: 'ignore' });
    t = Date.now();
    offline('install.sh', ['--bundle', first, '--root', root, '--gateway-id', 'bench', '--platform-url', 'mqtts://iot.example.net:8883']);
    report('release_install_from_bundle', Date.now() - t, 'ms');
    t = Date.now();
    offline('install.sh', ['--bundle', second, '--root', root]);
    report('release_upgrade_from_bundle', Date.now() - t, 'ms');
    t = Date.now();
    offline('hearth-release', ['rollback', '--root', root]);
    report('release_rollback', Date.now() - t, 'ms');
    await remoteUpdate(report, first, out);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}
