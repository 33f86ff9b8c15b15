import { accessSync, constants, realpathSync, statSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Finding } from './finding.js';
import type { HearthConfig } from './types.js';

/**
 * Where the gateway keeps state must be a real place. A path under a kernel pseudo-filesystem
 * (/proc, /sys, /dev) can hang SQLite or the process outright: always a config error. Whether the
 * place is usable on this machine now (writable, not below a plain file, the quota within the
 * filesystem) is checked only for a config arriving remotely (`forThisMachine`), before it replaces
 * one that works: at start the same conditions are storage faults the gateway runs through,
 * degraded but with its alarms sounding (docs/alarm-path.md), never a reason not to start.
 */
const PSEUDO = ['/proc', '/sys', '/dev'];

export function checkPlaces(config: HearthConfig, opts: { forThisMachine?: boolean }): Finding[] {
  const onThisMachine = opts.forThisMachine === true;
  const findings: Finding[] = [];
  const places: { segments: (string | number)[]; path: string; kind: 'dir' | 'file' }[] = [
    { segments: ['gateway', 'stateDir'], path: config.gateway.stateDir, kind: 'dir' },
    { segments: ['outbox', 'path'], path: config.outbox.path, kind: 'file' },
  ];
  for (const place of places) {
    const problem = placeProblem(place.path, place.kind, onThisMachine);
    if (problem !== undefined) findings.push({ segments: place.segments, message: problem });
  }
  if (onThisMachine) {
    const size = filesystemMiB(config.outbox.path);
    if (size !== undefined && config.outbox.quotaMb > size) {
      findings.push({ segments: ['outbox', 'quotaMb'], message: `${config.outbox.quotaMb} MiB is more than the whole filesystem holding ${config.outbox.path} (${size} MiB)` });
    }
  }
  return findings;
}

function placeProblem(path: string, kind: 'dir' | 'file', onThisMachine: boolean): string | undefined {
  const abs = resolve(path);
  if (underPseudo(abs)) return `${path} is on a kernel pseudo-filesystem (${PSEUDO.join(', ')}): choose a folder on the gateway's storage`;
  if (!onThisMachine) return undefined;
  const existing = nearestExisting(kind === 'file' ? abs : abs, kind);
  if (existing === undefined) return `no part of ${path} exists`;
  let real: string;
  try {
    real = realpathSync(existing.path);
  } catch (err) {
    return `cannot resolve ${existing.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (underPseudo(real)) return `${path} leads to ${real}, on a kernel pseudo-filesystem: choose a folder on the gateway's storage`;
  if (existing.isTarget && kind === 'file') {
    if (!existing.isFile) return `${path} exists and is not a regular file`;
    return writable(real) ? undefined : `${path} is not writable by this process`;
  }
  if (!existing.isDir) return `${existing.path} is a file, so ${path} cannot be made below it`;
  return writable(real) ? undefined : `${existing.path} is not writable by this process, so ${path} cannot be made`;
}

interface Existing {
  path: string;
  isTarget: boolean;
  isDir: boolean;
  isFile: boolean;
}

/** The path itself if it exists, else its nearest existing ancestor (what mkdir -p would build on). */
function nearestExisting(abs: string, kind: 'dir' | 'file'): Existing | undefined {
  let p = abs;
  for (;;) {
    try {
      const st = statSync(p);
      return { path: p, isTarget: p === abs && (kind === 'file' || st.isDirectory()), isDir: st.isDirectory(), isFile: st.isFile() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return { path: firstFileAbove(p), isTarget: false, isDir: false, isFile: true };
      if (code !== 'ENOENT') return { path: p, isTarget: false, isDir: false, isFile: false };
    }
    const up = dirname(p);
    if (up === p) return undefined;
    p = up;
  }
}

/** For ENOTDIR: the ancestor that is a plain file. */
function firstFileAbove(p: string): string {
  let q = dirname(p);
  while (dirname(q) !== q) {
    try {
      if (statSync(q).isFile()) return q;
    } catch {
      // keep climbing
    }
    q = dirname(q);
  }
  return q;
}

function underPseudo(abs: string): boolean {
  return PSEUDO.some((root) => abs === root || abs.startsWith(`${root}/`));
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function filesystemMiB(path: string): number | undefined {
  let p = resolve(path);
  for (;;) {
    try {
      const s = statfsSync(p);
      return Math.floor((s.blocks * s.bsize) / 1_048_576);
    } catch {
      const up = dirname(p);
      if (up === p) return undefined;
      p = up;
    }
  }
}
