import { Type } from '@sinclair/typebox';
import { actionsSchema } from './sections/actions.js';
import { maintenanceSchema } from './sections/maintenance.js';
import { busesSchema } from './sections/buses.js';
import { centresSchema } from './sections/centres.js';
import { Defaulted, DerivedDefault } from './sections/defaulted.js';
import { devicesSchema } from './sections/devices.js';
import { gatewaySchema } from './sections/gateway.js';
import { gpioSchema } from './sections/gpio.js';
import { tagsSchema } from './sections/tags.js';
import { platformSchema } from './sections/platform.js';
import { remoteSchema } from './sections/platform-codecs.js';
import { apiSchema, demoSchema, logSchema, outboxSchema, profilePathsSchema } from './sections/services.js';

/**
 * JSON Schema (draft-07, the draft editors support best) of the hearth YAML config file, one
 * sub-schema per section; the config types (./types.ts) are derived from it. Published as
 * config/hearth.schema.json by scripts/gen-schema.ts. Defaults that depend on other values
 * (outbox.path, platform.clientId, platform.url of the embedded broker) are filled in by
 * ./defaults.ts and only described here.
 */
export const hearthConfigSchema = Type.Object(
  {
    gateway: gatewaySchema,
    buses: busesSchema,
    devices: devicesSchema,
    gpio: Type.Optional(gpioSchema),
    tags: Type.Optional(tagsSchema),
    actions: actionsSchema,
    maintenance: maintenanceSchema,
    outbox: Defaulted(outboxSchema, {}),
    // No platform section: the demo's embedded broker (../defaults.ts).
    platform: DerivedDefault(platformSchema),
    centres: Defaulted(centresSchema, []),
    remote: Type.Optional(remoteSchema),
    api: Defaulted(apiSchema, {}),
    log: Defaulted(logSchema, {}),
    profilePaths: profilePathsSchema,
    demo: Type.Optional(demoSchema),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'hearth gateway configuration',
    description: 'Configuration of a hearth edge gateway for building fire safety. Check a file with `hearth check <file>`.',
    additionalProperties: false,
  },
);
