import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from './errors.js';
import { FailureLimiter } from './failure-limiter.js';
import { authErrors, bodyErrors, errorSchema } from './schemas.js';
import { SESSION_COOKIE, SessionStore } from './sessions.js';
import type { Caller } from './access/caller.js';
import type { Identities, Identity } from './access/identities.js';
import { OpenStreams } from './access/open-streams.js';
import { roleAllows, type RouteRole } from './access/roles.js';
import { crossOriginReason } from './access/same-origin.js';
import type { Logger } from '../log/logger.js';

/**
 * Who may use the API, enforced in one place (`guard`, an onRequest hook of the whole app): a
 * request carries a token as `Authorization: Bearer <token>` (the built-in administrator token or
 * a user's), or the session cookie a login set. The route's declared role (`config.role`) is then
 * checked against the caller's (403 API_FORBIDDEN). Cookie-authenticated state changes must come
 * from the console's own origin (403 API_CROSS_ORIGIN).
 *
 * Wrong tokens count as failures per client address; too many and the address gets 429 for bearer
 * tokens and logins, even a right one (otherwise the lockout would tell a guesser when it guessed
 * right). A request with a valid session made before is served all the same: a neighbour behind
 * the same NAT guessing does not lock out the installer already logged in.
 */
export interface AuthOptions {
  identities: Identities;
  sessionTtlMs: number;
  failures: { max: number; windowMs: number };
  /** Cookie flag Secure: set when the API is served over HTTPS. */
  secureCookie: boolean;
  logger: Logger;
  /** One-time login codes (`hearth token --qr`): the identity key a code stands for, once. */
  loginCodes?: { redeem(code: string): string | undefined };
  /** How often open live streams are rechecked for credentials that stopped counting. Default 1 s. */
  recheckMs?: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class Auth {
  readonly sessions: SessionStore;
  readonly limiter: FailureLimiter;
  readonly streams = new OpenStreams();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: AuthOptions) {
    this.sessions = new SessionStore(options.sessionTtlMs);
    this.limiter = new FailureLimiter(options.failures);
    this.timer = setInterval(() => this.recheckStreams(), options.recheckMs ?? 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Ends the live streams whose caller no longer counts (logged out, token rotated, user revoked). */
  recheckStreams(): number {
    return this.streams.recheck((c) => this.stillValid(c));
  }

  private stillValid(c: Caller): boolean {
    const known = (key: string) => this.options.identities.identify(key) !== undefined;
    if (c.sessionId !== undefined) return this.sessions.key(c.sessionId, known) !== undefined;
    return known(c.identity.key);
  }

  /** The one onRequest hook: authenticate, check the origin of cookie-authenticated changes, authorize. */
  readonly guard = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // Only the not-found handler has no role; unknown URLs are answered to anyone signed in.
    const need: RouteRole = req.routeOptions.config.role ?? (req.routeOptions.url === undefined ? 'viewer' : 'administrator');
    const changes = !SAFE_METHODS.has(req.method);
    if (need === 'public') {
      // Login and logout: refuse a cross-site form or script when the browser says so.
      const reason = changes ? crossOriginReason(req, false) : undefined;
      if (reason !== undefined) throw apiError('API_CROSS_ORIGIN', `refused: ${reason}`);
      return;
    }
    const caller = this.authenticate(req, reply);
    // Known before the checks below, so a refused attempt is audited with who it came in as.
    req.caller = caller;
    if (caller.via === 'console' && changes) {
      const reason = crossOriginReason(req, true);
      if (reason !== undefined) {
        this.options.logger.warn({ ip: req.ip, url: req.url, reason }, 'api: cross-origin state change refused');
        throw apiError('API_CROSS_ORIGIN', `refused: ${reason} (a state change with the session cookie must come from this console)`);
      }
    }
    if (!roleAllows(caller.identity.role, need)) {
      throw apiError('API_FORBIDDEN', `${caller.identity.name} (${caller.identity.role}) may not do this: it needs the role ${need}`);
    }
  };

  private authenticate(req: FastifyRequest, reply: FastifyReply): Caller {
    const header = req.headers.authorization;
    if (header !== undefined) {
      this.refuseIfBlocked(req, reply);
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const identity = m === null ? undefined : this.options.identities.byToken(m[1]!);
      if (identity !== undefined) return { identity, via: 'api' };
      this.failed(req, 'bearer');
      throw apiError('API_UNAUTHORIZED', 'invalid token');
    }
    const sid = req.cookies[SESSION_COOKIE];
    const identity = sid === undefined ? undefined : this.sessionIdentity(sid);
    // A valid session is served even from a blocked address (see the class comment).
    if (identity !== undefined) return { identity, via: 'console', sessionId: sid! };
    this.refuseIfBlocked(req, reply);
    // No credentials (or an expired session) is not a guess: not counted.
    throw apiError('API_UNAUTHORIZED', 'log in with your token (hearth token prints the administrator token, hearth user add makes one per person)');
  }

  private sessionIdentity(sid: string): Identity | undefined {
    const ids = this.options.identities;
    const key = this.sessions.key(sid, (k) => ids.identify(k) !== undefined);
    return key === undefined ? undefined : ids.identify(key);
  }

  register(app: FastifyInstance): void {
    const caller = { type: 'object', properties: { ok: { type: 'boolean' }, user: { type: 'string' }, role: { type: 'string' }, expiresInS: { type: 'integer' } } };
    app.post(
      '/api/login',
      {
        config: { role: 'public' },
        schema: {
          summary: 'Log in with a token; sets an HttpOnly session cookie',
          body: {
            type: 'object',
            required: ['token'],
            additionalProperties: false,
            properties: { token: { type: 'string', minLength: 1, maxLength: 256 } },
          },
          response: { 200: caller, 403: errorSchema, ...authErrors, ...bodyErrors },
        },
      },
      async (req, reply) => {
        this.refuseIfBlocked(req, reply);
        const { token } = req.body as { token: string };
        const identity = this.options.identities.byToken(token);
        if (identity === undefined) {
          this.failed(req, 'login');
          throw apiError('API_UNAUTHORIZED', 'wrong token');
        }
        return this.startSession(req, reply, identity, 'api: console login');
      },
    );
    app.post(
      '/api/login/code',
      {
        config: { role: 'public' },
        schema: {
          summary: 'Log in once with a one-time code from `hearth token --qr`; sets an HttpOnly session cookie; the code is then dead',
          body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 128 } } },
          response: { 200: caller, 403: errorSchema, ...authErrors, ...bodyErrors },
        },
      },
      async (req, reply) => {
        this.refuseIfBlocked(req, reply);
        const key = this.options.loginCodes?.redeem((req.body as { code: string }).code);
        const identity = key === undefined ? undefined : this.options.identities.identify(key);
        if (identity === undefined) {
          this.failed(req, 'login-code');
          throw apiError('API_UNAUTHORIZED', 'this login code is unknown, used or expired: run hearth token --qr again');
        }
        return this.startSession(req, reply, identity, 'api: console login with a one-time code');
      },
    );
    app.post(
      '/api/logout',
      { config: { role: 'public' }, schema: { summary: 'End the session (and its live streams)', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, 400: errorSchema, 403: errorSchema } } },
      async (req, reply) => {
        const sid = req.cookies[SESSION_COOKIE];
        if (sid !== undefined) {
          const identity = this.sessionIdentity(sid);
          if (identity !== undefined) req.caller = { identity, via: 'console', sessionId: sid };
          this.sessions.end(sid);
          this.recheckStreams();
        }
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { ok: true };
      },
    );
    app.get(
      '/api/me',
      { config: { role: 'viewer' }, schema: { summary: 'Who the caller is: name and role (the console shows what the role may use)', response: { 200: caller, ...authErrors } } },
      async (req) => ({ ok: true, user: req.caller!.identity.name, role: req.caller!.identity.role }),
    );
  }

  private startSession(req: FastifyRequest, reply: FastifyReply, identity: Identity, logLine: string) {
    this.limiter.succeed(req.ip);
    const sid = this.sessions.create(identity.key);
    req.caller = { identity, via: 'console', sessionId: sid };
    void reply.setCookie(SESSION_COOKIE, sid, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.options.secureCookie,
      path: '/',
      maxAge: Math.floor(this.options.sessionTtlMs / 1000),
    });
    this.options.logger.info({ ip: req.ip, user: identity.name, role: identity.role }, logLine);
    return { ok: true, user: identity.name, role: identity.role, expiresInS: Math.floor(this.options.sessionTtlMs / 1000) };
  }

  private refuseIfBlocked(req: FastifyRequest, reply: FastifyReply): void {
    const wait = this.limiter.blockedForMs(req.ip);
    if (wait > 0) {
      void reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw apiError('API_TOO_MANY_FAILURES', `too many failed attempts from ${req.ip}; try again in ${Math.ceil(wait / 1000)} s`);
    }
  }

  private failed(req: FastifyRequest, how: string): void {
    this.limiter.fail(req.ip);
    this.options.logger.warn({ ip: req.ip, how }, 'api: authentication failed');
  }
}
