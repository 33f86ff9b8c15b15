import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HearthError } from '../errors.js';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { setAside } from '../storage/set-aside.js';

/**
 * The gateway's API token: random per gateway, made at first start, kept in a 0600 file in the
 * state directory. There is no default password: whoever can read that file (root, the service
 * user, or `hearth token` on the box) can log in. `hearth token --rotate` replaces it; a running
 * daemon notices the new file within a second and every session made with the old token ends.
 *
 * The file is convenient, not vital: an empty or garbage one is moved aside and a new token made;
 * a state directory that cannot be written leaves the API with a random token nobody knows (no
 * login until it is fixed) and the fault `state:api-token`. Neither stops the gateway.
 */

export const TOKEN_FILE = 'api-token';
export const TOKEN_FAULT = `state:${TOKEN_FILE}`;

/** What hearth makes is 32 base64url characters; anything printable without spaces from 16 to 512 is accepted. */
const PLAUSIBLE_TOKEN = /^[\x21-\x7e]{16,512}$/;

export function tokenPath(stateDir: string): string {
  return join(stateDir, TOKEN_FILE);
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Atomic (temp file, fsync, rename, fsync folder) with mode 0600, so a reader never sees half a token. */
function writeToken(stateDir: string, token: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(tokenPath(stateDir), `${token}\n`, 0o600);
}

/** The token, created if this gateway has none yet. Throws for an unusable file (see readToken). */
export function ensureToken(stateDir: string): string {
  const existing = readToken(stateDir);
  if (existing !== undefined) return existing;
  const token = newToken();
  writeToken(stateDir, token);
  return token;
}

/** The token; undefined when there is no file. Throws API_TOKEN_EMPTY / API_TOKEN_GARBAGE, or the file system's error. */
export function readToken(stateDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(tokenPath(stateDir), 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text === '') throw new HearthError('API_TOKEN_EMPTY', `${tokenPath(stateDir)} is empty`);
  if (!PLAUSIBLE_TOKEN.test(text)) throw new HearthError('API_TOKEN_GARBAGE', `${tokenPath(stateDir)} does not hold a token (16-512 printable characters)`);
  return text;
}

export function rotateToken(stateDir: string): string {
  const token = newToken();
  writeToken(stateDir, token);
  return token;
}

/** True for the errors readToken throws about the file's content (not about reaching it). */
export function isUnusableTokenFile(err: unknown): boolean {
  return err instanceof HearthError && (err.code === 'API_TOKEN_EMPTY' || err.code === 'API_TOKEN_GARBAGE');
}

/**
 * Moves an unusable token file aside and writes a new token. Returns the token and where the old
 * file went; throws the file system's error when either step is impossible.
 */
export function replaceUnusableToken(stateDir: string): { token: string; movedTo: string } {
  const movedTo = setAside(tokenPath(stateDir));
  return { token: rotateToken(stateDir), movedTo };
}

/** Compares in constant time (over hashes, so lengths do not leak either). */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export interface TokenStoreOptions {
  faults?: FaultReporter;
  logger?: Logger;
}

/** The current token, re-read when the file changes (a rotation while the daemon runs). Never throws. */
export class TokenStore {
  private token: string;
  /** False while the API runs on a token that is in no file (nobody can log in). */
  private stored = true;
  private mtimeMs = 0;
  private checkedAt = 0;
  private readonly faults: FaultReporter;
  private readonly log: Logger;

  /** The state directory the token file is in (one-time login codes live beside it). */
  get directory(): string {
    return this.stateDir;
  }

  constructor(
    private readonly stateDir: string,
    private readonly recheckMs = 1000,
    options: TokenStoreOptions = {},
  ) {
    this.faults = options.faults ?? ignoreFaults;
    this.log = options.logger ?? silentLogger();
    this.token = this.load();
    this.mtimeMs = this.mtime();
  }

  /** False when the token could not be stored: login is impossible until the state directory is fixed. */
  get persisted(): boolean {
    return this.stored;
  }

  /** The next current() looks at the file whatever the interval (after a change made in this process). */
  recheckNow(): void {
    this.checkedAt = -Infinity;
  }

  current(): string {
    const now = Date.now();
    if (now - this.checkedAt >= this.recheckMs) {
      this.checkedAt = now;
      const m = this.mtime();
      if (m !== this.mtimeMs) {
        this.mtimeMs = m;
        this.reread();
      }
    }
    return this.token;
  }

  private load(): string {
    const file = tokenPath(this.stateDir);
    try {
      return ensureToken(this.stateDir);
    } catch (err) {
      if (isUnusableTokenFile(err)) {
        try {
          const { token, movedTo } = replaceUnusableToken(this.stateDir);
          const message = `${TOKEN_FILE} was unusable (${(err as HearthError).code}): moved aside to ${basename(movedTo)}; a new token is in ${file} (hearth token prints it)`;
          this.log.warn({ file, movedTo }, `api: ${message}`);
          this.faults.raise(TOKEN_FAULT, message, { severity: 'minor' });
          return token;
        } catch (writeErr) {
          return this.unknownToken(writeErr);
        }
      }
      return this.unknownToken(err);
    }
  }

  /** The state directory cannot hold a token: run with one nobody knows rather than not at all. */
  private unknownToken(err: unknown): string {
    this.stored = false;
    const code = (err as NodeJS.ErrnoException).code ?? (err as HearthError).code ?? 'unknown';
    const message = `the API token cannot be read or stored in ${this.stateDir} (${code}): nobody can log in to the console or the API until the state directory is writable; then restart hearth or run 'hearth token --rotate'`;
    this.log.error({ err, code, file: tokenPath(this.stateDir) }, `api: ${message}`);
    this.faults.raise(TOKEN_FAULT, message, { severity: 'minor' });
    return randomBytes(32).toString('base64url');
  }

  private reread(): void {
    try {
      const token = readToken(this.stateDir);
      if (token === undefined) {
        // Removed while running: make a new one (as at first start); if that fails keep the current one.
        if (this.stored) this.token = ensureToken(this.stateDir);
        return;
      }
      this.token = token;
      if (!this.stored) {
        this.stored = true;
        this.log.info({ file: tokenPath(this.stateDir) }, 'api: the token file is readable again; login works with it');
      }
      this.faults.clear(TOKEN_FAULT, `${TOKEN_FILE} holds a usable token again`);
    } catch (err) {
      // A token being replaced by hand, or a file that went bad: keep the token in use.
      this.log.warn({ err, file: tokenPath(this.stateDir) }, 'api: the token file changed but cannot be used; keeping the current token');
    }
  }

  private mtime(): number {
    try {
      return statSync(tokenPath(this.stateDir)).mtimeMs;
    } catch {
      return -1;
    }
  }
}
