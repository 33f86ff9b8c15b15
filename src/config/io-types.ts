import type { Static } from '@sinclair/typebox';
import type { actionStepSchema, commandStepSchema, localActionRuleSchema } from './sections/actions.js';
import type { maintenanceTaskSchema } from './sections/maintenance.js';
import type { demoContactsSchema, demoTagReaderSchema } from './sections/demo-io.js';
import type { gpioInputSchema, gpioOutputSchema, gpioSchema } from './sections/gpio.js';
import type { tagListSchema, tagReaderSchema, tagsSchema } from './sections/tags.js';

/**
 * Typed shape of the GPIO, tag reader and local action sections, derived from their schemas
 * (sections/gpio.ts, sections/tags.ts, sections/actions.ts), as the runtime receives them.
 */

export type GpioConfig = Static<typeof gpioSchema>;
/** A dry contact on a GPIO line, seen by the gateway as a device with one boolean point. */
export type GpioInputConfig = Static<typeof gpioInputSchema>;
export type GpioOutputConfig = Static<typeof gpioOutputSchema>;

export type TagsConfig = Static<typeof tagsSchema>;
export type TagReaderConfig = Static<typeof tagReaderSchema>;
export type TagListRef = Static<ReturnType<typeof tagListSchema>>;

export type LocalActionRule = Static<typeof localActionRuleSchema>;
export type CommandStep = Static<typeof commandStepSchema>;
export type ActionStep = Static<typeof actionStepSchema>;

/** Demo configs only: simulated dry contacts (on gpio.backend: sim) and TCP tag readers. */
export type DemoContacts = Static<typeof demoContactsSchema>;
export type DemoTagReader = Static<typeof demoTagReaderSchema>;

/** One scheduled device command (sections/maintenance.ts). */
export type MaintenanceTask = Static<typeof maintenanceTaskSchema>;
