import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry, AuditLog } from '../../remote/audit-log.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Body fields never written to the audit log. */
const SECRET_FIELDS = new Set(['token']);

/**
 * Every state-changing request through the API goes to the gateway's audit log (the one remote
 * commands use), after it was answered: who (user and role), how (console or api), from which
 * address, what (method and route), with which parameters, and the outcome. Requests that never
 * authenticated are not actions and are left out (a stranger could otherwise fill the disk), except
 * logins: a failed login is exactly what an audit must show (the lockout bounds how many).
 */
export function auditRequests(audit: AuditLog, now: () => number = Date.now) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (SAFE_METHODS.has(req.method)) return;
    const route = req.routeOptions.url;
    if (route === undefined) return;
    const login = route === '/api/login';
    if (req.caller === undefined && !login) return;
    if (login && reply.statusCode === 429) return; // the lockout itself, not an attempt
    const status = reply.statusCode;
    const identity = req.caller?.identity;
    const entry: AuditEntry = {
      at: now(),
      by: identity === undefined ? 'unknown' : `${req.caller!.via}:${identity.name}`,
      command: `${req.method} ${route}`,
      id: randomUUID(),
      params: { ...summarize(req.params), ...summarize(req.body) },
      outcome: status < 400 ? 'done' : status < 500 ? 'rejected' : 'failed',
      code: status < 400 ? 'OK' : (req.failureCode ?? String(status)),
      ...(identity !== undefined ? { user: identity.name, role: identity.role } : {}),
      via: req.caller?.via ?? (login ? 'console' : 'api'),
      from: req.ip,
    };
    audit.append(entry);
  };
}

/** Short, non-secret parameters: scalars only, strings cut at 64 characters, tokens never. */
function summarize(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_FIELDS.has(k)) continue;
    if (typeof v === 'string') out[k] = v.length > 64 ? `${v.slice(0, 64)}…` : v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) out[k] = v.slice(0, 16);
  }
  return out;
}
