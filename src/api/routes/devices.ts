import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { apiError } from '../errors.js';
import { authErrors, deviceSchema, errorSchema, idParam, readingSchema } from '../schemas.js';

/** Devices with live values, state, counters and their active alarms; read one now. */
export async function deviceRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade; logger: { info(o: object, m: string): void } }): Promise<void> {
  const { gateway } = opts;
  const withAlarms = <T extends { id: string }>(d: T, alarms = gateway.activeAlarms()) => ({ ...d, alarms: alarms.filter((a) => a.event.deviceId === d.id) });

  app.get(
    '/api/devices',
    { config: { role: 'viewer' }, schema: { summary: 'Every configured device with live values', response: { 200: { type: 'array', items: deviceSchema }, ...authErrors } } },
    async () => {
      const alarms = gateway.activeAlarms();
      return gateway.devices().map((d) => withAlarms(d, alarms));
    },
  );

  app.get(
    '/api/devices/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One device, with its recent readings for a chart',
        params: idParam('id'),
        querystring: { type: 'object', properties: { point: { type: 'string', maxLength: 64 } }, additionalProperties: false },
        response: {
          200: { type: 'object', properties: { device: deviceSchema, history: { type: 'array', items: readingSchema } } },
          400: errorSchema,
          404: errorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { point } = req.query as { point?: string };
      const device = gateway.device(id);
      if (device === undefined) throw apiError('API_NOT_FOUND', `no device '${id}'`);
      return { device: withAlarms(device), history: gateway.history(id, point) };
    },
  );

  app.post(
    '/api/devices/:id/read',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'Poll the device now (joins a poll already running)',
        params: idParam('id'),
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, code: { type: 'string' }, device: deviceSchema } },
          400: errorSchema,
          404: errorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      opts.logger.info({ device: id, ip: req.ip }, 'api: read device now');
      const r = await gateway.readNow(id);
      return { ...r, device: withAlarms(r.device) };
    },
  );
}
