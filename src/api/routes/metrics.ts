import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { authErrors } from '../schemas.js';

/** GET /metrics: Prometheus text format. Authenticated like the rest (scrape with a bearer token). */
export async function metricsRoutes(app: FastifyInstance, opts: { registry: Registry }): Promise<void> {
  app.get(
    '/metrics',
    { config: { role: 'viewer' }, schema: { summary: 'Prometheus metrics', response: { 200: { type: 'string' }, ...authErrors } } },
    async (_req, reply) => reply.type(opts.registry.contentType).send(await opts.registry.metrics()),
  );
}
