import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { callerName } from '../access/caller.js';
import { authErrors, bodyErrors, errorSchema, idParam } from '../schemas.js';

/** Monitoring centres: answering a duty check (查岗) on site. Logged with its caller. */
export async function centreRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade; logger: { info(o: object, m: string): void } }): Promise<void> {
  const { gateway, logger } = opts;
  app.post(
    '/api/centres/:id/duty-check',
    {
      config: { role: 'installer' },
      schema: {
        summary: "Answer a monitoring centre's duty check: someone is on duty at the site",
        params: idParam('id'),
        body: { type: 'object', additionalProperties: false, properties: { by: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: {
          200: { type: 'object', additionalProperties: true, description: "The centre's session state, with the duty check answered." },
          404: errorSchema,
          409: errorSchema,
          ...bodyErrors,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const by = (req.body as { by?: string } | undefined)?.by ?? callerName(req);
      logger.info({ centre: id, by, ip: req.ip }, 'api: duty check answered');
      return gateway.answerDutyCheck(id, by);
    },
  );
}
