import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../remote/audit-log.js';
import { apiError } from '../errors.js';
import { authErrors, errorSchema } from '../schemas.js';

const entrySchema = {
  type: 'object',
  properties: {
    at: { type: 'number' },
    by: { type: 'string' },
    user: { type: 'string' },
    role: { type: 'string' },
    via: { type: 'string' },
    from: { type: 'string' },
    command: { type: 'string' },
    id: { type: 'string' },
    device: { type: 'string' },
    params: { type: 'object', additionalProperties: true },
    outcome: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
};

/** GET /api/audit: the newest entries of the gateway's audit log (API actions and remote commands). */
export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditLog }): Promise<void> {
  app.get(
    '/api/audit',
    {
      config: { role: 'administrator' },
      schema: {
        summary: 'The newest audit entries, newest first: who did what, when, from where, with what outcome',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }, additionalProperties: false },
        response: { 200: { type: 'array', items: entrySchema }, 400: errorSchema, 503: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      try {
        return opts.audit.newest((req.query as { limit: number }).limit);
      } catch (err) {
        throw apiError('AUDIT_UNREADABLE', `the audit log cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    },
  );
}
