import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { apiError } from '../errors.js';
import { authErrors, bodyErrors, errorSchema, idParam, scanJobSchema } from '../schemas.js';

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

/** Buses and bus scans: start one (202), then follow it here or on the live feed. */
export async function scanRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade; logger: { info(o: object, m: string): void } }): Promise<void> {
  const { gateway, logger } = opts;

  app.get(
    '/api/buses',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'Configured buses',
        response: {
          200: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, baudRate: { type: 'integer' }, devices: { type: 'integer' } } },
          },
          ...authErrors,
        },
      },
    },
    async () => gateway.buses(),
  );

  app.post(
    '/api/scans',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'Scan a bus for slaves: addresses x baud rates',
        body: {
          type: 'object',
          required: ['bus'],
          additionalProperties: false,
          properties: {
            bus: { type: 'string', minLength: 1, maxLength: 64 },
            from: { type: 'integer', minimum: 0, maximum: 255, default: 1 },
            to: { type: 'integer', minimum: 0, maximum: 255, default: 247 },
            baudRates: { type: 'array', minItems: 1, maxItems: BAUD_RATES.length, uniqueItems: true, items: { type: 'integer', enum: BAUD_RATES } },
            timeoutMs: { type: 'integer', minimum: 20, maximum: 2000 },
          },
        },
        response: { 202: scanJobSchema, 404: errorSchema, 409: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req, reply) => {
      const body = req.body as { bus: string; from: number; to: number; baudRates?: number[]; timeoutMs?: number };
      logger.info({ ...body, ip: req.ip }, 'api: bus scan');
      return reply.status(202).send(gateway.startScan(body));
    },
  );

  app.get(
    '/api/scans/:id',
    { config: { role: 'installer' }, schema: { summary: 'A scan\'s progress and findings', params: idParam('id'), response: { 200: scanJobSchema, 400: errorSchema, 404: errorSchema, ...authErrors } } },
    async (req) => {
      const { id } = req.params as { id: string };
      const job = gateway.scan(id);
      if (job === undefined) throw apiError('API_NOT_FOUND', `no scan '${id}'`);
      return job;
    },
  );
}
