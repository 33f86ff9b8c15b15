import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { buildReport } from '../commissioning-report.js';
import { reportHtml } from '../commissioning-report-html.js';
import { callerName } from '../access/caller.js';
import { authErrors, bodyErrors, errorSchema, idParam, testAlarmSchema } from '../schemas.js';

const outputSchema = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' } } };

const labels = { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } };

const reportSchema = {
  type: 'object',
  properties: {
    gatewayId: { type: 'string' },
    gatewayName: { type: 'string' },
    location: { type: 'object', additionalProperties: true },
    version: { type: 'string' },
    generatedAt: { type: 'number' },
    timeZone: { type: 'string' },
    walkTest: { type: 'object', properties: { by: { type: 'string' }, startedAt: { type: 'number' }, endsAt: { type: 'number' }, endedAt: { type: 'number' }, sounders: { type: 'boolean' } } },
    clockSynced: { type: 'boolean' },
    devices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          kind: { type: 'string' },
          model: { type: 'string' },
          lastSeen: { type: 'number' },
          walkTest: { type: 'string', enum: ['alarmed', 'not-alarmed', 'not-in-test'] },
          walkTestAt: { type: 'number' },
          outputTest: { type: 'object', properties: { at: { type: 'number' }, ok: { type: 'boolean' } } },
          bus: { type: 'string' },
          address: { type: 'integer' },
          location: { type: 'object', additionalProperties: true },
          state: { type: 'string' },
          lastValues: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                point: { type: 'string' },
                label: labels,
                value: { type: ['number', 'boolean', 'string'] },
                state: labels,
                decimals: { type: 'integer' },
                unit: { type: 'string' },
                quality: { type: 'string' },
              },
            },
          },
          testAlarm: { type: 'string', enum: ['pass', 'fail', 'pending', 'not-tested'] },
          testAlarmAt: { type: 'number' },
        },
      },
    },
    maintenance: { type: 'array', items: { type: 'object', additionalProperties: true } },
    summary: { type: 'object', additionalProperties: { type: 'integer' } },
  },
};

/** Output test, test alarm to the platform, and the commissioning report. */
export async function commissioningRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade; logger: { info(o: object, m: string): void } }): Promise<void> {
  const { gateway, logger } = opts;

  app.get(
    '/api/outputs',
    { config: { role: 'viewer' }, schema: { summary: 'Local outputs (sirens, relays)', response: { 200: { type: 'array', items: outputSchema }, ...authErrors } } },
    async () => gateway.outputs(),
  );

  app.post(
    '/api/outputs/:id/test',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'Switch an output on for a few seconds, then back',
        params: idParam('id'),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { durationMs: { type: 'integer', minimum: 100, maximum: 30_000, default: 2000 } },
        },
        response: {
          200: { type: 'object', properties: { output: { type: 'string' }, durationMs: { type: 'integer' }, ok: { type: 'boolean' } } },
          404: errorSchema,
          409: errorSchema,
          ...bodyErrors,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { durationMs } = req.body as { durationMs: number };
      logger.info({ output: id, durationMs, ip: req.ip }, 'api: output test');
      return gateway.testOutput(id, durationMs);
    },
  );

  app.post(
    '/api/test-alarm',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'Send a test event to the platform (for one device, or the gateway itself)',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { deviceId: { type: 'string', minLength: 1, maxLength: 128 }, by: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: testAlarmSchema, 404: errorSchema, 503: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req) => {
      const { deviceId, by = callerName(req) } = req.body as { deviceId?: string; by?: string };
      logger.info({ device: deviceId, by, ip: req.ip }, 'api: test alarm requested');
      return gateway.sendTestAlarm(deviceId, by);
    },
  );

  app.get(
    '/api/test-alarms',
    { config: { role: 'installer' }, schema: { summary: 'Test alarms sent and whether the platform confirmed them', response: { 200: { type: 'array', items: testAlarmSchema }, ...authErrors } } },
    async () => gateway.testAlarms(),
  );

  app.get(
    '/api/report',
    { config: { role: 'installer' }, schema: { summary: 'The commissioning report (JSON)', response: { 200: reportSchema, ...authErrors } } },
    async () => buildReport(gateway),
  );

  app.get(
    '/api/report.html',
    {
      config: { role: 'installer' },
      schema: {
        summary: 'The commissioning report as one printable page (A4), in one language',
        querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['zh-CN', 'en'], default: 'zh-CN' } }, additionalProperties: false },
        response: { 200: { type: 'string' }, 400: errorSchema, ...authErrors },
      },
    },
    async (req, reply) => reply.type('text/html; charset=utf-8').send(reportHtml(buildReport(gateway), (req.query as { lang: 'zh-CN' | 'en' }).lang)),
  );
}
