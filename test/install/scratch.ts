import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distIsFresh } from '../helpers/node-entry.js';
import { REPO as ROOT } from '../helpers/repo.js';

export const REPO = `${ROOT}/`;

/**
 * A package to install, as a release would contain it: the repository's data files and a fresh
 * compile into its own dist/ (never the shared dist/ other work may be rebuilding), with the
 * repository's node_modules linked in for `--deps copy`.
 */
export function buildSource(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-pkg-'));
  if (distIsFresh()) {
    // `npm test` compiled the tree a moment ago: a copy is the same output, without a second compile.
    cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true });
  } else {
    try {
      execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.json'), '--outDir', join(dir, 'dist')], {
        stdio: 'ignore',
        timeout: 240_000,
      });
    } catch {
      // Type errors elsewhere in a shared tree still emit JavaScript; what matters is the entry point.
    }
  }
  if (!existsSync(join(dir, 'dist/src/main.js'))) throw new Error('compile produced no dist/src/main.js');
  for (const d of ['config', 'drivers', 'scripts', 'systemd', 'docs']) if (existsSync(join(REPO, d))) cpSync(join(REPO, d), join(dir, d), { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'README.md']) if (existsSync(join(REPO, f))) copyFileSync(join(REPO, f), join(dir, f));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** An empty root with just the base system's user database, like a fresh image before install. */
export function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'hearth-root-'));
  mkdirSync(join(root, 'etc'));
  for (const f of ['passwd', 'group', 'shadow', 'gshadow', 'os-release']) {
    if (existsSync(join('/etc', f))) copyFileSync(join('/etc', f), join(root, 'etc', f));
  }
  return root;
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, args: string[], timeoutMs = 300_000): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile('/bin/bash', [script, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Every entry under `root` as "path type mode uid:gid mtime size sha256|target": what a second
 * install must leave exactly as it was. The mtime is included on purpose: rewriting a file with
 * the same bytes is a change too (SD card wear, and a sign the step is not really idempotent).
 */
export function treeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    const owner = `${st.uid}:${st.gid} ${Math.round(st.mtimeMs)}`;
    if (st.isSymbolicLink()) out.push(`${rel} l ${mode} ${owner} -> ${readlinkSync(abs)}`);
    else if (st.isDirectory()) {
      out.push(`${rel}/ d ${mode} ${owner}`);
      for (const name of readdirSync(abs).sort()) walk(rel === '' ? name : `${rel}/${name}`);
    } else {
      const hash = createHash('sha256').update(readFileSync(abs)).digest('hex');
      out.push(`${rel} f ${mode} ${owner} ${st.size} ${hash}`);
    }
  };
  walk('');
  return out;
}

export function remove(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
