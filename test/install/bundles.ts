import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remove } from './scratch.js';

/** Builds a bundle of `source` (scripts/bundle.sh) into `out`; returns its path. */
export function buildBundle(source: string, out: string, version: string): string {
  const stdout = execFileSync('/bin/bash', [join(source, 'scripts/bundle.sh'), '--source', source, '--out', out, '--version', version], { encoding: 'utf8', timeout: 240_000 });
  const m = /^bundle: (\S+\.tar\.gz) /m.exec(stdout);
  if (!m?.[1]) throw new Error(`bundle.sh said: ${stdout}`);
  return m[1];
}

/**
 * A copy of `bundle` as version `version`, changed by `mutate(dir)` (the unpacked release folder),
 * with a matching .sha256: a well-formed bundle of a release that is broken in a chosen way.
 */
export function repack(bundle: string, out: string, version: string, mutate: (dir: string) => void): string {
  const work = mkdtempSync(join(tmpdir(), 'hearth-repack-'));
  try {
    execFileSync('tar', ['-xzf', bundle, '-C', work]);
    const top = readdirSync(work)[0];
    if (top === undefined) throw new Error(`${bundle} is empty`);
    const dir = join(work, top);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    pkg.version = version;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    mutate(dir);
    const arch = /-linux-(.+)$/.exec(top)?.[1] ?? 'unknown';
    const name = `hearth-${version}-linux-${arch}`;
    const file = join(out, `hearth-${version}-linux-${arch}.tar.gz`);
    execFileSync('mv', [dir, join(work, name)]);
    execFileSync('tar', ['-czf', file, '-C', work, name]);
    sha256File(file);
    return file;
  } finally {
    remove(work);
  }
}

/** Writes FILE.sha256 in sha256sum's format. */
export function sha256File(file: string): void {
  execFileSync('/bin/sh', ['-c', 'cd "$(dirname "$1")" && sha256sum "$(basename "$1")" > "$(basename "$1").sha256"', 'sh', file]);
}

/**
 * A systemctl stand-in for a scratch root: `restart` starts the current release the way the unit
 * would (here: its `hearth version`, which a broken release fails) and `is-active` reports how
 * that went. Enough to drive install.sh's wait-for-READY and its automatic rollback.
 */
export function fakeSystemctl(root: string): string {
  const path = join(root, 'fake-systemctl');
  writeFileSync(
    path,
    [
      '#!/bin/bash',
      `state="${root}/fake-systemctl.state"`,
      'case "$1" in',
      `  restart) echo "restart $(readlink "${root}/opt/hearth/current")" >> "${root}/fake-systemctl.log"`,
      `    if "${process.execPath}" "${root}/opt/hearth/current/dist/src/main.js" version >/dev/null 2>&1; then echo active > "$state"; else echo failed > "$state"; fi ;;`,
      '  is-active) cat "$state" 2>/dev/null || echo inactive ;;',
      'esac',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

/** Runs a script in a network namespace of its own: no network at all, not even loopback. */
export function runOffline(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('unshare', ['-n', '/bin/bash', script, ...args], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
