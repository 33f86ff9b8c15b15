import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { GatewayFacade } from './gateway-facade.js';
import { Auth } from './auth.js';
import { errorHandler } from './errors.js';
import { createMetrics } from './metrics.js';
import type { TokenStore } from './token.js';
import type { Logger } from '../log/logger.js';
import { healthRoutes } from './routes/health.js';
import { statusRoutes } from './routes/status.js';
import { deviceRoutes } from './routes/devices.js';
import { alarmRoutes } from './routes/alarms.js';
import { commissioningRoutes } from './routes/commissioning.js';
import { scanRoutes } from './routes/scan.js';
import { liveRoutes } from './routes/live.js';
import { metricsRoutes } from './routes/metrics.js';
import { consoleRoutes } from './routes/console.js';
import { centreRoutes } from './routes/centres.js';
import { defaultWebRoot } from './web-root.js';

export interface ApiDeps {
  gateway: GatewayFacade;
  tokens: TokenStore;
  logger: Logger;
  /** Default 8 h. */
  sessionTtlMs?: number;
  /** Wrong tokens per client address before it is refused for the window. Default 5 per 5 min. */
  failures?: { max: number; windowMs: number };
  /** Request bodies above this get 413. Default 16 KiB: no route needs more. */
  bodyLimit?: number;
  /** HTTPS with the gateway's own certificate (PEM contents). */
  https?: { cert: Buffer; key: Buffer };
  /** Folder of the console's static files. Default web/ at the package root. */
  webRoot?: string;
}

export const DEFAULT_SESSION_TTL_MS = 8 * 3600_000;
export const DEFAULT_FAILURES = { max: 5, windowMs: 5 * 60_000 };

/**
 * Builds the API and console app without listening, so tests drive it with inject() and the
 * daemon decides where it listens. Public: /healthz, /api/login, the console's static files.
 * Everything else needs the token (bearer) or a session cookie.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const logger = deps.logger;
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? 16 * 1024,
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }) as unknown as FastifyInstance;
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ statusCode: 404, code: 'API_NOT_FOUND', error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  await app.register(cookie);

  const auth = new Auth({
    tokens: deps.tokens,
    sessionTtlMs: deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    failures: deps.failures ?? DEFAULT_FAILURES,
    secureCookie: deps.https !== undefined,
    logger,
  });
  const metrics = createMetrics(deps.gateway);
  app.addHook('onClose', async () => metrics.stop());

  await app.register(healthRoutes, { gateway: deps.gateway });
  await app.register(consoleRoutes, { webRoot: deps.webRoot ?? defaultWebRoot() });
  auth.register(app);

  const shared = { gateway: deps.gateway, logger };
  await app.register(async (authed) => {
    authed.addHook('onRequest', auth.verify);
    await authed.register(statusRoutes, shared);
    await authed.register(deviceRoutes, shared);
    await authed.register(alarmRoutes, shared);
    await authed.register(commissioningRoutes, shared);
    await authed.register(scanRoutes, shared);
    await authed.register(centreRoutes, shared);
    await authed.register(liveRoutes, { gateway: deps.gateway, onClose: (fn) => app.addHook('preClose', async () => fn()) });
    await authed.register(metricsRoutes, { registry: metrics.registry });
  });
  return app;
}
