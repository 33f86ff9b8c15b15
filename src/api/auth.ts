import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from './errors.js';
import { FailureLimiter } from './failure-limiter.js';
import { authErrors, bodyErrors, errorSchema } from './schemas.js';
import { SESSION_COOKIE, SessionStore } from './sessions.js';
import { tokensEqual, type TokenStore } from './token.js';
import type { Logger } from '../log/logger.js';

/**
 * Who may use the API: a request carries the gateway token as `Authorization: Bearer <token>`, or
 * the session cookie a successful login set. Wrong tokens count as failures per client address;
 * too many and the address gets 429 for a while (see FailureLimiter).
 */
export interface AuthOptions {
  tokens: TokenStore;
  sessionTtlMs: number;
  failures: { max: number; windowMs: number };
  /** Cookie flag Secure: set when the API is served over HTTPS. */
  secureCookie: boolean;
  logger: Logger;
}

export class Auth {
  readonly sessions: SessionStore;
  readonly limiter: FailureLimiter;

  constructor(private readonly options: AuthOptions) {
    this.sessions = new SessionStore(options.sessionTtlMs);
    this.limiter = new FailureLimiter(options.failures);
  }

  /** onRequest hook of the authenticated route groups. */
  readonly verify = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    this.refuseIfBlocked(req, reply);
    const token = this.options.tokens.current();
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (m !== null && tokensEqual(m[1]!, token)) return;
      this.failed(req, 'bearer');
      throw apiError('API_UNAUTHORIZED', 'invalid token');
    }
    const sid = req.cookies[SESSION_COOKIE];
    if (sid !== undefined && this.sessions.valid(sid, token)) return;
    // No credentials (or an expired session) is not a guess: not counted.
    throw apiError('API_UNAUTHORIZED', 'log in with the gateway token (hearth token prints it)');
  };

  register(app: FastifyInstance): void {
    app.post(
      '/api/login',
      {
        schema: {
          summary: 'Log in with the gateway token; sets an HttpOnly session cookie',
          body: {
            type: 'object',
            required: ['token'],
            additionalProperties: false,
            properties: { token: { type: 'string', minLength: 1, maxLength: 256 } },
          },
          response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, expiresInS: { type: 'integer' } } }, ...authErrors, ...bodyErrors },
        },
      },
      async (req, reply) => {
        this.refuseIfBlocked(req, reply);
        const { token } = req.body as { token: string };
        if (!tokensEqual(token, this.options.tokens.current())) {
          this.failed(req, 'login');
          throw apiError('API_UNAUTHORIZED', 'wrong token');
        }
        this.limiter.succeed(req.ip);
        const sid = this.sessions.create(token);
        void reply.setCookie(SESSION_COOKIE, sid, {
          httpOnly: true,
          sameSite: 'strict',
          secure: this.options.secureCookie,
          path: '/',
          maxAge: Math.floor(this.options.sessionTtlMs / 1000),
        });
        this.options.logger.info({ ip: req.ip }, 'api: console login');
        return { ok: true, expiresInS: Math.floor(this.options.sessionTtlMs / 1000) };
      },
    );
    app.post(
      '/api/logout',
      { schema: { summary: 'End the session', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, 400: errorSchema } } },
      async (req, reply) => {
        const sid = req.cookies[SESSION_COOKIE];
        if (sid !== undefined) this.sessions.end(sid);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { ok: true };
      },
    );
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
