import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';

/** GET /healthz: for monitoring, no authentication, nothing secret in it. */
export async function healthRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade }): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { role: 'public' },
      schema: {
        summary: 'Liveness for monitoring (no authentication)',
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, uptimeS: { type: 'number' } } } },
      },
    },
    async () => ({ ok: true, uptimeS: opts.gateway.status().uptimeS }),
  );
}
