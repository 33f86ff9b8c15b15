import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../errors.js';

/**
 * The gateway's API token: random per gateway, made at first start, kept in a 0600 file in the
 * state directory. There is no default password: whoever can read that file (root, the service
 * user, or `hearth token` on the box) can log in. `hearth token --rotate` replaces it; a running
 * daemon notices the new file within a second and every session made with the old token ends.
 */

export const TOKEN_FILE = 'api-token';

export function tokenPath(stateDir: string): string {
  return join(stateDir, TOKEN_FILE);
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Writes atomically (temp file + rename) with mode 0600, so a reader never sees half a token. */
function writeToken(stateDir: string, token: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = tokenPath(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing temp file keeps its mode
  renameSync(tmp, file);
}

/** The token, created if this gateway has none yet. */
export function ensureToken(stateDir: string): string {
  const existing = readToken(stateDir);
  if (existing !== undefined) return existing;
  const token = newToken();
  writeToken(stateDir, token);
  return token;
}

export function readToken(stateDir: string): string | undefined {
  try {
    const text = readFileSync(tokenPath(stateDir), 'utf8').trim();
    if (text === '') throw new HearthError('API_TOKEN_EMPTY', `${tokenPath(stateDir)} is empty: run 'hearth token --rotate'`);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function rotateToken(stateDir: string): string {
  const token = newToken();
  writeToken(stateDir, token);
  return token;
}

/** Compares in constant time (over hashes, so lengths do not leak either). */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The current token, re-read when the file changes (a rotation while the daemon runs). */
export class TokenStore {
  private token: string;
  private mtimeMs = 0;
  private checkedAt = 0;

  constructor(
    private readonly stateDir: string,
    private readonly recheckMs = 1000,
  ) {
    this.token = ensureToken(stateDir);
    this.mtimeMs = this.mtime();
  }

  current(): string {
    const now = Date.now();
    if (now - this.checkedAt >= this.recheckMs) {
      this.checkedAt = now;
      const m = this.mtime();
      if (m !== this.mtimeMs) {
        this.mtimeMs = m;
        this.token = readToken(this.stateDir) ?? ensureToken(this.stateDir);
      }
    }
    return this.token;
  }

  private mtime(): number {
    try {
      return statSync(tokenPath(this.stateDir)).mtimeMs;
    } catch {
      return -1;
    }
  }
}
