import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { apiError } from '../errors.js';
import { authErrors, errorSchema, idParam } from '../schemas.js';

const labels = { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } };
const pointValue = { type: ['number', 'boolean', 'string'] };

const catalogueDeviceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['modbus', 'contact', 'tag-reader', 'output'] },
    model: { type: 'string' },
    location: { type: 'object', additionalProperties: { type: 'string' } },
    points: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          type: { type: 'string' },
          unit: { type: 'string' },
          decimals: { type: 'integer' },
          role: { type: 'string' },
          labels,
          states: { type: 'object', additionalProperties: labels },
        },
      },
    },
    lastSeen: { type: 'number' },
    values: {
      type: 'object',
      additionalProperties: { type: 'object', properties: { value: pointValue, unit: { type: 'string' }, quality: { type: 'string' }, ts: { type: 'number' } } },
    },
  },
};

/**
 * Every device of every kind as people see it: labels, state names, resolution, last seen, last
 * values; and the trend of a numeric point over the last hours (kept in memory, 1 sample/min).
 */
export async function catalogueRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade }): Promise<void> {
  const { gateway } = opts;

  app.get(
    '/api/catalogue',
    { config: { role: 'viewer' }, schema: { summary: 'Every device (Modbus, contacts, tag readers, outputs) with point labels', response: { 200: { type: 'array', items: catalogueDeviceSchema }, ...authErrors } } },
    async () =>
      gateway.catalogue().map((d) => {
        const values: Record<string, { value: number | boolean | string; unit?: string; quality: string; ts: number }> = {};
        for (const r of gateway.lastValues(d.id)) values[r.point] = { value: r.value, quality: r.quality, ts: r.ts, ...(r.unit !== undefined ? { unit: r.unit } : {}) };
        const seen = gateway.lastSeen(d.id);
        return { ...d, values, ...(seen !== undefined ? { lastSeen: seen } : {}) };
      }),
  );

  app.get(
    '/api/catalogue/:id/trend',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "A numeric point's last hours: one averaged sample per minute, oldest first",
        params: idParam('id'),
        querystring: { type: 'object', required: ['point'], properties: { point: { type: 'string', minLength: 1, maxLength: 64 } }, additionalProperties: false },
        response: {
          200: {
            type: 'array',
            items: { type: 'object', properties: { ts: { type: 'number' }, mean: { type: 'number' }, min: { type: 'number' }, max: { type: 'number' }, n: { type: 'integer' } } },
          },
          400: errorSchema,
          404: errorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      if (!gateway.catalogue().some((d) => d.id === id)) throw apiError('API_NOT_FOUND', `no device '${id}'`);
      return gateway.trend(id, (req.query as { point: string }).point);
    },
  );
}
