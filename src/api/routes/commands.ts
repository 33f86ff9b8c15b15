import type { FastifyInstance } from 'fastify';
import type { DeviceCommands } from '../../devices/device-commands.js';
import type { MaintenanceSchedule } from '../../devices/maintenance-schedule.js';
import { callerName } from '../access/caller.js';
import { apiError } from '../errors.js';
import { authErrors, errorSchema, idParam } from '../schemas.js';

export interface CommandRouteDeps {
  commands?: Pick<DeviceCommands, 'list' | 'devicesWithCommands' | 'run'>;
  maintenance?: () => Pick<MaintenanceSchedule, 'list' | 'runNow'> | undefined;
}

const labels = { type: 'object', additionalProperties: { type: 'string' } };
const commandSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    labels,
    description: { type: 'string' },
    safety: { type: 'boolean' },
    fromRules: { type: 'boolean' },
    readBack: { type: 'string' },
    params: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
};
const outcomeSchema = { type: 'object', additionalProperties: true, properties: { device: { type: 'string' }, command: { type: 'string' }, result: { type: 'string' }, ok: { type: 'boolean' } } };

/**
 * Device commands in the console: what each device can be told (GET, any role) and running one
 * (installer). A safety-relevant command (closing a breaker) runs only with `confirm: true`, which
 * the console sends after asking the person; without it the answer is 409
 * COMMAND_NEEDS_CONFIRMATION and nothing reaches the device. Maintenance tasks: listed, run now.
 */
export async function commandRoutes(app: FastifyInstance, opts: CommandRouteDeps): Promise<void> {
  const commands = () => {
    if (opts.commands === undefined) throw apiError('COMMANDS_NONE', 'device commands are not available on this gateway');
    return opts.commands;
  };

  app.get(
    '/api/commands',
    { config: { role: 'viewer' }, schema: { summary: 'Every device with commands, and its commands', response: { 200: { type: 'object', additionalProperties: { type: 'array', items: commandSchema } }, ...authErrors } } },
    async () => {
      const c = opts.commands;
      if (c === undefined) return {};
      return Object.fromEntries(
        c.devicesWithCommands().map((id) => [
          id,
          (c.list(id) ?? []).map((cmd) => ({
            name: cmd.name,
            ...(cmd.labels ? { labels: cmd.labels } : {}),
            ...(cmd.description ? { description: cmd.description } : {}),
            safety: cmd.safety,
            fromRules: cmd.fromRules,
            ...(cmd.confirm ? { readBack: cmd.confirm.point } : {}),
            params: cmd.params,
          })),
        ]),
      );
    },
  );

  app.post(
    '/api/devices/:id/commands/:name',
    {
      config: { role: 'installer' },
      schema: {
        summary: "Run a device's command and wait for its read-back",
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 128 }, name: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 } }, required: ['id', 'name'] },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { params: { type: 'object', maxProperties: 16, additionalProperties: { type: 'number' } }, confirm: { type: 'boolean' } },
        },
        response: { 200: outcomeSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { id, name } = req.params as { id: string; name: string };
      const body = (req.body ?? {}) as { params?: Record<string, number>; confirm?: boolean };
      return commands().run(id, name, body.params ?? {}, { via: 'console', by: callerName(req), confirmed: body.confirm === true });
    },
  );

  app.get(
    '/api/maintenance',
    { config: { role: 'viewer' }, schema: { summary: 'Scheduled device commands: last result, next due, overdue', response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } }, ...authErrors } } },
    async () =>
      (opts.maintenance?.()?.list() ?? []).map((m) => ({
        name: m.task.name,
        device: m.task.device,
        command: m.task.command,
        every: m.task.every,
        at: m.task.at,
        nextDue: m.nextDue,
        overdue: m.overdue,
        ...(m.record ?? {}),
      })),
  );

  app.post(
    '/api/maintenance/:name/run',
    { config: { role: 'installer' }, schema: { summary: 'Run a maintenance task now (never during an alarm)', params: idParam('name'), response: { 200: outcomeSchema, 404: errorSchema, 409: errorSchema, ...authErrors } } },
    async (req) => {
      const { name } = req.params as { name: string };
      const schedule = opts.maintenance?.();
      if (schedule === undefined || !schedule.list().some((m) => m.task.name === name)) throw apiError('API_NOT_FOUND', `no maintenance task '${name}'`);
      return schedule.runNow(name, callerName(req));
    },
  );
}
