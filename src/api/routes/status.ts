import { walkTestSchema } from './walk-test.js';
import type { FastifyInstance } from 'fastify';
import type { GatewayFacade } from '../gateway-facade.js';
import { authErrors } from '../schemas.js';

const statusSchema = {
  type: 'object',
  properties: {
    walkTest: walkTestSchema,
    gatewayId: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    uptimeS: { type: 'number' },
    clock: { type: 'object', properties: { now: { type: 'number' }, synced: { type: 'boolean' } } },
    uplink: {
      type: ['object', 'null'],
      properties: {
        connected: { type: 'boolean' },
        lastConnectAt: { type: ['number', 'null'] },
        lastDisconnectAt: { type: ['number', 'null'] },
        lastError: { type: ['string', 'null'] },
        reconnectAttempts: { type: 'integer' },
        connects: { type: 'integer' },
        inflight: { type: 'integer' },
        nextAttemptInMs: { type: ['integer', 'null'] },
        urgent: { type: 'boolean' },
        fireAlarmsRefused: { type: 'integer' },
        lastRefusal: {
          type: ['object', 'null'],
          properties: {
            code: { type: ['integer', 'null'] },
            reason: { type: 'string' },
            permanent: { type: 'boolean' },
            fireAlarm: { type: 'boolean' },
            at: { type: 'number' },
          },
        },
      },
    },
    outbox: {
      type: ['object', 'null'],
      properties: {
        depth: { type: 'object', properties: { fire: { type: 'integer' }, events: { type: 'integer' }, telemetry: { type: 'integer' } } },
        total: { type: 'integer' },
        inflight: { type: 'integer' },
        oldestUnsentAgeMs: { type: ['number', 'null'] },
      },
    },
    destinations: {
      type: 'array',
      description: 'Each destination with its own connection and backlog: the platform, then the monitoring centres (GB/T 26875.3).',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { type: 'string', enum: ['mqtt', 'gbt26875'] },
          connected: { type: 'boolean' },
          lastError: { type: ['string', 'null'] },
          depth: { type: 'object', properties: { fire: { type: 'integer' }, events: { type: 'integer' }, telemetry: { type: 'integer' } } },
          parked: { type: 'integer' },
          inflight: { type: 'integer' },
          oldestUnsentAgeMs: { type: ['number', 'null'] },
          centre: { type: 'object', additionalProperties: true, description: 'The GB/T 26875.3 session: counters, framing errors, duty check, clock sync.' },
        },
      },
    },
    devices: {
      type: 'object',
      properties: { total: { type: 'integer' }, online: { type: 'integer' }, offline: { type: 'integer' }, starting: { type: 'integer' } },
    },
    activeAlarms: { type: 'integer' },
    alarms: {
      type: 'object',
      properties: { conditions: { type: 'integer' }, fire: { type: 'integer' }, latched: { type: 'integer' }, faults: { type: 'integer' } },
    },
    receipt: {
      type: 'object',
      description: 'Fire alarms awaiting confirmation by the receiving centre; fault once one is overdue (EN 54-21, 100 s).',
      properties: { fault: { type: 'boolean' }, awaiting: { type: 'integer' }, overdue: { type: 'integer' } },
    },
    storage: {
      type: 'object',
      description: 'The outbox file: ok, or a storage fault with records held in memory (still sent).',
      properties: {
        ok: { type: 'boolean' },
        since: { type: 'number' },
        code: { type: 'string' },
        message: { type: 'string' },
        reopenAttempts: { type: 'integer' },
        held: { type: 'integer' },
        droppedReadings: { type: 'integer' },
      },
    },
    faults: {
      type: 'array',
      description: "Faults of the gateway's own parts (storage, GPIO lines, uplink, state files, receipts).",
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, point: { type: 'string' }, severity: { type: 'string' }, message: { type: 'string' }, since: { type: 'number' } },
      },
    },
  },
};

/** GET /api/status: the overview page's numbers. */
export async function statusRoutes(app: FastifyInstance, opts: { gateway: GatewayFacade }): Promise<void> {
  app.get(
    '/api/status',
    { config: { role: 'viewer' }, schema: { summary: 'Gateway status: version, uptime, clock, uplink, outbox, device and alarm counts', response: { 200: statusSchema, ...authErrors } } },
    async () => opts.gateway.status(),
  );
}
