import type { FastifyRequest } from 'fastify';
import type { Identity } from './identities.js';

/** Who made a request, and how: set by the auth on every authenticated request (`req.caller`). */
export interface Caller {
  identity: Identity;
  /** `console`: the session cookie of a console login; `api`: a bearer token. */
  via: 'console' | 'api';
  /** The session id, when the request came with the session cookie. */
  sessionId?: string;
}

/** Who to record as having acted when the body names nobody: the signed-in user (was 'console' before there were users). */
export function callerName(req: FastifyRequest): string {
  return req.caller?.identity.name ?? 'console';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; undefined on public routes (and before authentication). */
    caller: Caller | undefined;
    /** The error code the request ended with, for the audit log. */
    failureCode: string | undefined;
  }
}
