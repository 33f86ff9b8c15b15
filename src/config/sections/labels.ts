import { Type } from '@sinclair/typebox';
import { object, record, text } from './common.js';

/**
 * What people read instead of a point's identifier: a label per console language, and names for a
 * boolean or enumerated point's states. Both languages are optional so a site profile may give only
 * one; the console falls back to the other, then to a humanized name, never to the raw identifier.
 */
export const labelsSchema = object(
  'A name per console language, e.g. { zh-CN: 烟雾浓度, en: Smoke density }.',
  {
    'zh-CN': Type.Optional(text('Simplified Chinese.')),
    en: Type.Optional(text('English.')),
  },
  { minProperties: 1 },
);

/** Keys: true / false for boolean points, the raw number (or text) for enumerated ones. */
export const STATE_KEY_PATTERN = '^(true|false|-?[0-9]+|[a-z][a-z0-9_]*)$';

export const statesSchema = record(
  'Names of the states of a boolean or enumerated point: { true: { zh-CN: 报警, en: Alarm }, false: { zh-CN: 正常, en: Normal } }.',
  STATE_KEY_PATTERN,
  labelsSchema,
);

export const pointLabelFields = {
  labels: Type.Optional(labelsSchema),
  states: Type.Optional(statesSchema),
};
