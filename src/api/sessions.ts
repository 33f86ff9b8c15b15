import { createHash, randomBytes } from 'node:crypto';

/**
 * Login sessions of the console: a random id in an HttpOnly cookie, kept in memory only (a
 * restart logs everyone out, which is fine on a gateway). A session is bound to the token it was
 * made with (by its SHA-256, the identity's key): once that token is rotated or its user revoked,
 * the key resolves to nobody and the session is over.
 */
interface Session {
  expires: number;
  key: string;
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

  /** A new session for the identity with this key; returns its id. */
  create(key: string): string {
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, { expires: this.now() + this.ttlMs, key });
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return id;
  }

  /**
   * The session's identity key while the session lasts and `stillValid(key)` says its token still
   * counts; otherwise the session is dropped and this returns undefined.
   */
  key(id: string, stillValid: (key: string) => boolean): string | undefined {
    const s = this.sessions.get(id);
    if (s === undefined) return undefined;
    if (s.expires <= this.now() || !stillValid(s.key)) {
      this.sessions.delete(id);
      return undefined;
    }
    return s.key;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}
