import Fastify, { type FastifyInstance } from 'fastify';
import { commandRoutes, type CommandRouteDeps } from './routes/commands.js';
import cookie from '@fastify/cookie';
import type { GatewayFacade } from './gateway-facade.js';
import { Auth } from './auth.js';
import { errorHandler } from './errors.js';
import { createMetrics } from './metrics.js';
import type { TokenStore } from './token.js';
import type { Logger } from '../log/logger.js';
import type { AuditLog } from '../remote/audit-log.js';
import { auditRequests } from './access/api-audit.js';
import { Identities } from './access/identities.js';
import { requireRouteRoles } from './access/route-roles.js';
import type { UserStore } from './access/user-store.js';
import { healthRoutes } from './routes/health.js';
import { statusRoutes } from './routes/status.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { redeemLoginCode } from './login-codes.js';
import { walkTestRoutes } from './routes/walk-test.js';
import { deviceRoutes } from './routes/devices.js';
import { alarmRoutes } from './routes/alarms.js';
import { commissioningRoutes } from './routes/commissioning.js';
import { scanRoutes } from './routes/scan.js';
import { liveRoutes } from './routes/live.js';
import { metricsRoutes } from './routes/metrics.js';
import { consoleRoutes } from './routes/console.js';
import { centreRoutes } from './routes/centres.js';
import { userRoutes } from './routes/users.js';
import { auditRoutes } from './routes/audit.js';
import { defaultWebRoot } from './web-root.js';

export interface ApiDeps {
  gateway: GatewayFacade;
  /** The built-in administrator token (`api-token`). */
  tokens: TokenStore;
  /** One token per person, with a role (`api-users.json`); without it only the administrator token works. */
  users?: UserStore;
  /** The gateway's audit log: every state change through the API is appended; GET /api/audit reads it. */
  audit?: AuditLog;
  logger: Logger;
  /** Default 8 h. */
  sessionTtlMs?: number;
  /** Wrong tokens per client address before it is refused for the window. Default 5 per 5 min. */
  failures?: { max: number; windowMs: number };
  /** Request bodies above this get 413. Default 16 KiB: no route needs more. */
  bodyLimit?: number;
  /** HTTPS with the gateway's own certificate (PEM contents). */
  https?: { cert: Buffer; key: Buffer };
  /** Device commands and the maintenance schedule (absent: the routes answer that there are none). */
  commands?: CommandRouteDeps['commands'];
  maintenance?: CommandRouteDeps['maintenance'];
  /** Folder of the console's static files. Default web/ at the package root. */
  webRoot?: string;
}

export const DEFAULT_SESSION_TTL_MS = 8 * 3600_000;
export const DEFAULT_FAILURES = { max: 5, windowMs: 5 * 60_000 };

/**
 * Builds the API and console app without listening, so tests drive it with inject() and the
 * daemon decides where it listens. Every route declares its role next to its definition
 * (`config: { role }`, mandatory: see access/route-roles.ts); one hook checks it (auth.ts), and
 * one hook audits every state change (access/api-audit.ts).
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const logger = deps.logger;
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? 16 * 1024,
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }) as unknown as FastifyInstance;
  requireRouteRoles(app);
  app.decorateRequest('caller', undefined);
  app.decorateRequest('failureCode', undefined);
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ statusCode: 404, code: 'API_NOT_FOUND', error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  await app.register(cookie);

  const identities = new Identities(deps.tokens, deps.users);
  const auth = new Auth({
    identities,
    sessionTtlMs: deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    failures: deps.failures ?? DEFAULT_FAILURES,
    secureCookie: deps.https !== undefined,
    loginCodes: { redeem: (code) => redeemLoginCode(deps.tokens.directory, code) },
    logger,
  });
  app.addHook('onRequest', auth.guard);
  if (deps.audit) app.addHook('onResponse', auditRequests(deps.audit));
  const metrics = createMetrics(deps.gateway);
  app.addHook('onClose', async () => {
    metrics.stop();
    auth.close();
  });

  await app.register(healthRoutes, { gateway: deps.gateway });
  await app.register(consoleRoutes, { webRoot: deps.webRoot ?? defaultWebRoot() });
  auth.register(app);

  const shared = { gateway: deps.gateway, logger };
  await app.register(statusRoutes, shared);
  await app.register(deviceRoutes, shared);
  await app.register(catalogueRoutes, shared);
  await app.register(walkTestRoutes, shared);
  await app.register(alarmRoutes, shared);
  await app.register(commandRoutes, { ...(deps.commands ? { commands: deps.commands } : {}), ...(deps.maintenance ? { maintenance: deps.maintenance } : {}) });
  await app.register(commissioningRoutes, shared);
  await app.register(scanRoutes, shared);
  await app.register(centreRoutes, shared);
  await app.register(liveRoutes, {
    gateway: deps.gateway,
    onClose: (fn) => app.addHook('preClose', async () => fn()),
    track: (req, end) => auth.streams.add(req.caller!, end),
  });
  await app.register(metricsRoutes, { registry: metrics.registry });
  if (deps.users) {
    await app.register(userRoutes, {
      users: deps.users,
      changed: () => {
        identities.refresh();
        auth.recheckStreams();
      },
    });
  }
  if (deps.audit) await app.register(auditRoutes, { audit: deps.audit });
  return app;
}
