import type { FastifyInstance } from 'fastify';
import { HearthError } from '../../errors.js';
import { apiError } from '../errors.js';
import { authErrors, bodyErrors, errorSchema } from '../schemas.js';
import { ROLES, type Role } from '../access/roles.js';
import { addUser, publicInfo, revokeUser, rotateUser } from '../access/user-file.js';
import type { UserStore } from '../access/user-store.js';
import { rotateToken } from '../token.js';

const userSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, role: { type: 'string' }, createdAt: { type: 'number' }, rotatedAt: { type: 'number' } },
};
const withToken = {
  type: 'object',
  description: 'The user and their new token: shown this once, only its hash is kept.',
  properties: { user: userSchema, token: { type: 'string' } },
};
const nameParam = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$' } } };

export interface UserRoutesOptions {
  users: UserStore;
  /** Called after every change: the auth ends the sessions and live streams that stopped counting. */
  changed: () => void;
}

/** People and their tokens (administrators only): list, add, rotate, revoke; and the built-in administrator token. */
export async function userRoutes(app: FastifyInstance, opts: UserRoutesOptions): Promise<void> {
  const dir = opts.users.stateDir;
  const change = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof HearthError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      throw apiError('USERS_UNWRITABLE', `the users file cannot be written (${code})`);
    } finally {
      opts.changed();
    }
  };

  app.get(
    '/api/users',
    { config: { role: 'administrator' }, schema: { summary: 'The users who have a token, and their roles', response: { 200: { type: 'array', items: userSchema }, ...authErrors } } },
    async () => opts.users.list().map(publicInfo),
  );

  app.post(
    '/api/users',
    {
      config: { role: 'administrator' },
      schema: {
        summary: 'Add a user with a role; answers with their token (shown once)',
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: { name: nameParam.properties.name, role: { type: 'string', enum: [...ROLES] } },
        },
        response: { 201: withToken, 409: errorSchema, 503: errorSchema, ...bodyErrors, ...authErrors },
      },
    },
    async (req, reply) => {
      const { name, role } = req.body as { name: string; role: Role };
      return reply.status(201).send(change(() => addUser(dir, name, role)));
    },
  );

  app.post(
    '/api/users/:name/rotate',
    {
      config: { role: 'administrator' },
      schema: { summary: "Give a user a new token; the old one and its sessions stop at once", params: nameParam, response: { 200: withToken, 404: errorSchema, 503: errorSchema, 400: errorSchema, ...authErrors } },
    },
    async (req) => change(() => rotateUser(dir, (req.params as { name: string }).name)),
  );

  app.post(
    '/api/token/rotate',
    {
      config: { role: 'administrator' },
      schema: {
        summary: 'Replace the built-in administrator token (api-token); its sessions and live streams end at once',
        response: { 200: { type: 'object', description: 'The new token: shown this once.', properties: { token: { type: 'string' } } }, 503: errorSchema, ...authErrors },
      },
    },
    async () => ({ token: change(() => rotateToken(dir)) }),
  );

  app.delete(
    '/api/users/:name',
    {
      config: { role: 'administrator' },
      schema: { summary: 'Revoke a user: their token, sessions and live streams end at once', params: nameParam, response: { 200: userSchema, 404: errorSchema, 503: errorSchema, 400: errorSchema, ...authErrors } },
    },
    async (req) => change(() => revokeUser(dir, (req.params as { name: string }).name)),
  );
}
