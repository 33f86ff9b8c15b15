import { actionsSchema } from './sections/actions.js';
import { busesSchema } from './sections/buses.js';
import { devicesSchema } from './sections/devices.js';
import { gatewaySchema } from './sections/gateway.js';
import { gpioSchema } from './sections/gpio.js';
import { tagsSchema } from './sections/tags.js';
import { platformSchema } from './sections/platform.js';
import { remoteSchema } from './sections/platform-codecs.js';
import { apiSchema, demoSchema, logSchema, outboxSchema, profilePathsSchema } from './sections/services.js';
import type { JsonSchema } from './sections/common.js';

/**
 * JSON Schema (draft-07, the draft editors support best) of the hearth YAML config file, one
 * sub-schema per section. `additionalProperties: false` everywhere, so a typo is an error rather than
 * a silently ignored setting. Published as config/hearth.schema.json by scripts/gen-schema.ts.
 * Defaults that depend on other values (outbox.path, platform.clientId, platform.url of the
 * embedded broker) are filled in by ./defaults.ts and only described here.
 */
export const hearthConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'hearth gateway configuration',
  description: 'Configuration of a hearth edge gateway for building fire safety. Check a file with `hearth check <file>`.',
  type: 'object',
  additionalProperties: false,
  required: ['gateway'],
  properties: {
    gateway: gatewaySchema,
    buses: busesSchema,
    devices: devicesSchema,
    gpio: gpioSchema,
    tags: tagsSchema,
    actions: actionsSchema,
    outbox: outboxSchema,
    platform: platformSchema,
    remote: remoteSchema,
    api: apiSchema,
    log: logSchema,
    profilePaths: profilePathsSchema,
    demo: demoSchema,
  },
};

/** The schema as published: stable key order and a trailing newline, so the checked-in file diffs cleanly. */
export function schemaFileText(schema: JsonSchema = hearthConfigSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
