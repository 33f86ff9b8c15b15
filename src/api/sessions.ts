import { createHash, randomBytes } from 'node:crypto';

/**
 * Login sessions of the console: a random id in an HttpOnly cookie, kept in memory only (a
 * restart logs everyone out, which is fine on a gateway). A session is bound to the token it was
 * made with: after `hearth token --rotate` every session ends.
 */
interface Session {
  expires: number;
  tokenHash: string;
}

export const SESSION_COOKIE = 'hearth_session';
const MAX_SESSIONS = 200;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(token: string): string {
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, { expires: this.now() + this.ttlMs, tokenHash: tokenHash(token) });
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return id;
  }

  valid(id: string, currentToken: string): boolean {
    const s = this.sessions.get(id);
    if (s === undefined) return false;
    if (s.expires <= this.now() || s.tokenHash !== tokenHash(currentToken)) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}
