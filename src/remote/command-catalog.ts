import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { RemoteCommandName } from '../config/types.js';
import { MAX_BUNDLE_BYTES } from './update/update-files.js';

/** Parameters of each remote command (docs/remote-management.md); a signed command's time is in the signed body, not here. */
const id = { type: 'string', minLength: 1, maxLength: 128 };
const strict = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties: { reason: { type: 'string', maxLength: 200 }, ...properties },
});
const limit = { type: 'number', minimum: -1_000_000, maximum: 1_000_000 };

export const COMMAND_SCHEMAS: Record<RemoteCommandName, object> = {
  read_device: strict({ deviceId: id }),
  ack_alarm: strict({ eventId: id }, ['eventId']),
  silence_alarm: strict({ eventId: id, minutes: { type: 'integer', minimum: 1, maximum: 1440 } }, ['eventId', 'minutes']),
  test_output: strict({ outputId: id, durationMs: { type: 'integer', minimum: 100, maximum: 60_000 } }, ['outputId', 'durationMs']),
  set_threshold: {
    ...strict(
      {
        deviceId: id,
        point: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 },
        high: limit,
        low: limit,
        hysteresis: { type: 'number', minimum: 0, maximum: 1_000_000 },
        onDelayMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
      },
      ['point'],
    ),
    anyOf: [{ required: ['high'] }, { required: ['low'] }, { required: ['hysteresis'] }, { required: ['onDelayMs'] }],
  },
  // A device's profile command (trip, close, self_test); `confirm` is the signing person's confirmation for a safety-relevant one.
  device_command: strict(
    {
      deviceId: id,
      command: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 },
      params: { type: 'object', maxProperties: 16, additionalProperties: { type: 'number' } },
      confirm: { type: 'boolean' },
    },
    ['command'],
  ),
  commissioning_report: strict({}),
  restart: strict({}),
  apply_config: {
    ...strict({
      config: { type: 'string', minLength: 1, maxLength: 262_144 },
      section: { type: 'string', pattern: '^[a-zA-Z]+$', maxLength: 32 },
      value: {},
    }),
    oneOf: [{ required: ['config'] }, { required: ['section', 'value'] }],
  },
  // The bundle the gateway fetches and hands to the root updater (docs/remote-management.md, "Software update").
  update_software: strict(
    {
      version: { type: 'string', pattern: '^[0-9A-Za-z][0-9A-Za-z.+_-]*$', maxLength: 64 },
      url: { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 2048 },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      size: { type: 'integer', minimum: 1, maximum: MAX_BUNDLE_BYTES },
    },
    ['version', 'url', 'sha256', 'size'],
  ),
};

export const COMMAND_NAMES = Object.keys(COMMAND_SCHEMAS) as RemoteCommandName[];

const validators = new Map<string, ValidateFunction>();
const ajv = new Ajv({ allErrors: true, strict: false });

export function isCommandName(name: string): name is RemoteCommandName {
  return Object.hasOwn(COMMAND_SCHEMAS, name);
}

/** "path: message" problems with the parameters, empty when valid. */
export function validateParams(name: RemoteCommandName, params: Record<string, unknown>): string[] {
  let v = validators.get(name);
  if (v === undefined) validators.set(name, (v = ajv.compile(COMMAND_SCHEMAS[name])));
  if (v(params)) return [];
  return ((v.errors ?? []) as ErrorObject[]).map((e) => {
    const path = `params${e.instancePath.replace(/\//g, '.')}`;
    if (e.keyword === 'additionalProperties') return `${path}: unknown parameter '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
    return `${path}: ${e.message ?? 'invalid'}`;
  });
}
