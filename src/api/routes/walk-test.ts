import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { callerName } from '../access/caller.js';
import { authErrors, bodyErrors, errorSchema } from '../schemas.js';
import { MAX_MINUTES } from '../../alarms/walk-test.js';

export const walkTestSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    by: { type: 'string' },
    startedAt: { type: 'number' },
    endsAt: { type: 'number' },
    devices: { type: 'array', items: { type: 'string' } },
    sounders: { type: 'boolean' },
    endedAt: { type: 'number' },
    endedBy: { type: 'string' },
    hits: {
      type: 'array',
      items: { type: 'object', properties: { deviceId: { type: 'string' }, point: { type: 'string' }, eventId: { type: 'string' }, at: { type: 'number' }, restoredAt: { type: 'number' } } },
    },
  },
};

/**
 * The walk test (EN 54-2 test condition): an installer puts the site or some devices in test for
 * a bounded time; their alarms are flagged as tests and, unless asked, sound no sounder. The
 * decision lives beside the alarm desk (src/alarms/walk-test.ts); these routes only start, end and show it.
 */
export async function walkTestRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade; logger: { info(o: object, m: string): void } }): Promise<void> {
  const { gateway } = opts;

  app.get(
    '/api/walk-test',
    { config: { role: 'viewer' }, schema: { summary: 'The running walk test, else the last one (null: none since start)', response: { 200: { anyOf: [walkTestSchema, { type: 'null' }] }, ...authErrors } } },
    async () => gateway.walkTest() ?? null,
  );

  app.post(
    '/api/walk-test',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'Start a walk test for some minutes (default 30)',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            minutes: { type: 'integer', minimum: 1, maximum: MAX_MINUTES },
            devices: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 64 } },
            sounders: { type: 'boolean' },
          },
        },
        response: { 200: walkTestSchema, 404: errorSchema, 409: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req) => {
      const body = (req.body ?? {}) as { minutes?: number; devices?: string[]; sounders?: boolean };
      return gateway.startWalkTest({ ...body, by: callerName(req) });
    },
  );

  app.post(
    '/api/walk-test/stop',
    { config: { role: 'installer' }, schema: { summary: 'End the running walk test now', body: { type: 'object', additionalProperties: false, properties: {} }, response: { 200: walkTestSchema, 404: errorSchema, ...bodyErrors, ...authErrors } } },
    async (req) => gateway.stopWalkTest(callerName(req)),
  );
}
