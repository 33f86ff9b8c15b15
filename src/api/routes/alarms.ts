import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { callerName } from '../access/caller.js';
import { apiError } from '../errors.js';
import { alarmSchema, authErrors, bodyErrors, errorSchema, eventSchema, idParam } from '../schemas.js';

const byField = { type: 'string', minLength: 1, maxLength: 64 };

/** Recent events, active alarms, acknowledge and silence. Every command is logged with its caller. */
export async function alarmRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade; logger: { info(o: object, m: string): void } }): Promise<void> {
  const { gateway, logger } = opts;

  app.get(
    '/api/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Recent events, newest first',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }, additionalProperties: false },
        response: { 200: { type: 'array', items: eventSchema }, 400: errorSchema, ...authErrors },
      },
    },
    async (req) => gateway.recentEvents((req.query as { limit: number }).limit),
  );

  app.get(
    '/api/alarms',
    { config: { role: 'viewer' }, schema: { summary: 'Alarms, faults and offline devices not yet restored', response: { 200: { type: 'array', items: alarmSchema }, ...authErrors } } },
    async () => gateway.activeAlarms(),
  );

  app.post(
    '/api/alarms/:id/ack',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Acknowledge an active alarm (someone is on it)',
        params: idParam('id'),
        body: { type: 'object', additionalProperties: false, properties: { by: byField } },
        response: { 200: alarmSchema, 404: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const by = (req.body as { by?: string } | undefined)?.by ?? callerName(req);
      logger.info({ event: id, by, ip: req.ip }, 'api: alarm acknowledged');
      return gateway.acknowledge(id, by);
    },
  );

  app.post(
    '/api/alarms/:id/silence',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Silence local sounders for an active alarm for some minutes',
        params: idParam('id'),
        body: {
          type: 'object',
          required: ['minutes'],
          additionalProperties: false,
          properties: { minutes: { type: 'integer', minimum: 1, maximum: 240 }, by: byField },
        },
        response: { 200: alarmSchema, 404: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { minutes, by = callerName(req) } = req.body as { minutes: number; by?: string };
      logger.info({ event: id, minutes, by, ip: req.ip }, 'api: alarm silenced');
      return gateway.silence(id, minutes, by);
    },
  );

  // One card per device in the console: acknowledging or silencing the card acts on each of the
  // device's alarms through the desk, one by one, exactly as if each had been acknowledged alone.
  app.post(
    '/api/devices/:id/ack',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "Acknowledge every unacknowledged alarm of a device (the device's alarm card)",
        params: idParam('id'),
        body: { type: 'object', additionalProperties: false, properties: { by: byField } },
        response: { 200: { type: 'array', items: alarmSchema }, 404: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const by = (req.body as { by?: string } | undefined)?.by ?? callerName(req);
      const open = gateway.activeAlarms().filter((a) => a.event.deviceId === id && a.acknowledged === undefined);
      if (open.length === 0) throw apiError('API_NOT_FOUND', `no unacknowledged alarm on device '${id}'`);
      logger.info({ device: id, alarms: open.length, by, ip: req.ip }, 'api: device alarms acknowledged');
      const done = [];
      for (const a of open) done.push(await gateway.acknowledge(a.event.id, by).catch(() => undefined)); // one restored meanwhile: the rest still count
      return done.filter((a) => a !== undefined);
    },
  );

  app.post(
    '/api/devices/:id/silence',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "Silence local sounders for every alarm of a device for some minutes (the alarms stay active)",
        params: idParam('id'),
        body: {
          type: 'object',
          required: ['minutes'],
          additionalProperties: false,
          properties: { minutes: { type: 'integer', minimum: 1, maximum: 240 }, by: byField },
        },
        response: { 200: { type: 'array', items: alarmSchema }, 404: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { minutes, by = callerName(req) } = req.body as { minutes: number; by?: string };
      const open = gateway.activeAlarms().filter((a) => a.event.deviceId === id && a.event.kind !== 'restore');
      if (open.length === 0) throw apiError('API_NOT_FOUND', `no active alarm on device '${id}'`);
      logger.info({ device: id, alarms: open.length, minutes, by, ip: req.ip }, 'api: device alarms silenced');
      const done = [];
      for (const a of open) done.push(await gateway.silence(a.event.id, minutes, by).catch(() => undefined));
      return done.filter((a) => a !== undefined);
    },
  );
}
