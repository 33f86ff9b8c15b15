import { tokenHash } from '../sessions.js';
import { tokensEqual, type TokenStore } from '../token.js';
import type { Role } from './roles.js';
import { BUILT_IN_ADMIN } from './user-file.js';
import type { UserStore } from './user-store.js';

/** Who a token belongs to: a name, a role, and the SHA-256 of the token (sessions are bound to it). */
export interface Identity {
  name: string;
  role: Role;
  key: string;
}

/**
 * Tokens to people: the built-in administrator token (`api-token`, kept for existing installs and
 * for `hearth token`) and one token per user (`api-users.json`). Both files are re-read when they
 * change, so `identify(key)` answers "is this still valid?" for a session or a live stream: a
 * rotated or revoked token's key no longer resolves.
 */
export class Identities {
  constructor(
    private readonly tokens: TokenStore,
    private readonly users: UserStore | undefined,
  ) {}

  /** The identity a presented token belongs to, or undefined. */
  byToken(token: string): Identity | undefined {
    const admin = this.tokens.current();
    // Constant time for the built-in token; users are looked up by hash (no secret to compare).
    if (tokensEqual(token, admin)) return { name: BUILT_IN_ADMIN, role: 'administrator', key: tokenHash(admin) };
    return this.identify(tokenHash(token));
  }

  /** The identity whose token has this hash now; undefined once it was rotated or revoked. */
  identify(key: string): Identity | undefined {
    if (key === tokenHash(this.tokens.current())) return { name: BUILT_IN_ADMIN, role: 'administrator', key };
    const user = this.users?.find(key);
    return user === undefined ? undefined : { name: user.name, role: user.role, key };
  }

  /** Re-reads both files now (after a change through the API, so it counts before the next poll). */
  refresh(): void {
    this.tokens.recheckNow();
    this.users?.refresh(true);
  }
}
