import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from './run.js';

/**
 * Release figures (docs/installer-guide.en.md, 1.2-1.3): bundle size, install time from the bundle
 * into a scratch root with no network, upgrade time, rollback time (a link switch; on a gateway
 * the restart and the wait for READY come on top). Needs root (the installer creates a user in
 * the scratch root's own files) and a built tree (`npm run bench` builds first).
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

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
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}
