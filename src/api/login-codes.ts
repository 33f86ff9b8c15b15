import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tokenHash } from './sessions.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { mkdirOwned } from '../storage/state-owner.js';

/**
 * One-time login codes for a phone (`hearth token --qr`): the command, a separate process, writes
 * one file per code into `<stateDir>/login-codes/`, named by the code's SHA-256 (the code itself is
 * in no file), holding its expiry and the identity it logs in as (the hash of the token it stands
 * for, so a rotated token kills its codes too). The API redeems a code by deleting its file: only
 * one unlink of a name can succeed, so a code works once even if two phones race, and then is dead.
 */
export const LOGIN_CODE_TTL_MS = 5 * 60_000;
const DIR = 'login-codes';

interface CodeFile {
  expiresAt: number;
  key: string;
}

export function loginCodeDir(stateDir: string): string {
  return join(stateDir, DIR);
}

/** A new code for the identity whose token hashes to `key`, valid for `ttlMs`. Old expired ones are swept. */
export function issueLoginCode(stateDir: string, key: string, now = Date.now(), ttlMs = LOGIN_CODE_TTL_MS): { code: string; expiresAt: number } {
  const dir = loginCodeDir(stateDir);
  mkdirOwned(dir, 0o700);
  sweep(dir, now);
  const code = randomBytes(18).toString('base64url');
  const expiresAt = now + ttlMs;
  writeFileAtomic(join(dir, tokenHash(code)), JSON.stringify({ expiresAt, key } satisfies CodeFile), 0o600);
  return { code, expiresAt };
}

/** The identity key the code logs in as, once; undefined for an unknown, used or expired code. */
export function redeemLoginCode(stateDir: string, code: string, now = Date.now()): string | undefined {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(code)) return undefined;
  const file = join(loginCodeDir(stateDir), tokenHash(code));
  let entry: CodeFile;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8')) as CodeFile;
    unlinkSync(file); // the one that unlinks it owns it
  } catch {
    return undefined; // no such code, already used, or a broken file: no login either way
  }
  if (typeof entry.expiresAt !== 'number' || now >= entry.expiresAt || typeof entry.key !== 'string') return undefined;
  return entry.key;
}

function sweep(dir: string, now: number): void {
  for (const name of readdirSync(dir)) {
    try {
      const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CodeFile;
      if (!(now < entry.expiresAt)) unlinkSync(join(dir, name));
    } catch {
      // a file another process is writing or just redeemed: left for the next sweep
    }
  }
}
