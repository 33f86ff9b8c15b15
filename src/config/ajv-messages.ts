import type { ErrorObject } from 'ajv';
import { formatPath, pointerToSegments } from './key-path.js';
import { suggest } from './suggest.js';

/** What the schema says a string must look like, in words, keyed by the schema's `pattern`. */
export const PATTERN_HINTS: Record<string, string> = {
  '^[A-Za-z0-9][A-Za-z0-9._-]*$': "must start with a letter or digit and contain only letters, digits, '.', '_' and '-'",
  '^[a-z][a-z0-9_]*$': "must be lower_snake_case (a-z, 0-9, '_', starting with a letter)",
  '^/': 'must be an absolute device path such as /dev/ttyUSB0',
  '^[^#+/]+(/[^#+/]+)*$': "must be topic levels separated by '/', without '#', '+' or a leading/trailing '/'",
};

type Schema = Record<string, unknown>;

/**
 * Turn one ajv error into a readable issue, or undefined for errors that only repeat another one
 * (ajv reports a failed `if` next to the real failure inside `then`).
 */
export function issueFromAjvError(err: ErrorObject): { segments: (string | number)[]; path: string; message: string } | undefined {
  const segments = pointerToSegments(err.instancePath);
  const at = (segs: (string | number)[], message: string) => ({ segments: segs, path: formatPath(segs), message });
  const parent = (err.parentSchema ?? {}) as Schema;
  const params = err.params as Record<string, unknown>;
  const got = describeValue(err.data);

  switch (err.keyword) {
    case 'if':
      return undefined;
    case 'type':
      return at(segments, `must be ${typeWords(params.type)}, got ${got}`);
    case 'enum':
      return at(segments, `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}, got ${got}`);
    case 'const':
      return at(segments, `must be ${describeValue(params.allowedValue)}, got ${got}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return at(segments, rangeMessage(parent, err.keyword, err.data));
    case 'multipleOf':
      return at(segments, `must be a multiple of ${String(params.multipleOf)}, got ${got}`);
    case 'minLength':
      return at(segments, params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`);
    case 'maxLength':
      return at(segments, `must be at most ${String(params.limit)} characters long, got ${String((err.data as string).length)}`);
    case 'propertyNames':
      return undefined; // the failing rule inside (a pattern) is reported with the key's name
    case 'pattern': {
      if (err.data === '') return undefined; // minLength already says "must not be empty"
      const hint = PATTERN_HINTS[String(params.pattern)];
      const rule = hint ?? `must match ${String(params.pattern)}`;
      if (err.propertyName !== undefined) return at([...segments, err.propertyName], `point name ${rule}, got '${err.propertyName}'`);
      return at(segments, `${rule}, got ${got}`);
    }
    case 'required':
      return at(segments, `missing required key '${String(params.missingProperty)}'`);
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as Schema);
      const close = suggest(key, allowed);
      const hint = close ? ` (did you mean '${close}'?)` : allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : '';
      return at(segments, `unknown key '${key}'${hint}`);
    }
    case 'minItems':
      return at(segments, `must have at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}`);
    case 'maxItems':
      return at(segments, `must have at most ${String(params.limit)} entries, got ${String((err.data as unknown[]).length)}`);
    case 'uniqueItems':
      return at(segments, `must not repeat a value (entries ${String(params.j)} and ${String(params.i)} are equal)`);
    case 'minProperties': {
      const names = Object.keys((parent.properties ?? {}) as Schema);
      return at(segments, `must set at least one of ${names.join(', ')}`);
    }
    case 'discriminator':
      return discriminatorIssue(segments, parent, params, at);
    default:
      return at(segments, err.message ?? `fails schema rule '${err.keyword}'`);
  }
}

function discriminatorIssue(
  segments: (string | number)[],
  parent: Schema,
  params: Record<string, unknown>,
  at: (s: (string | number)[], m: string) => { segments: (string | number)[]; path: string; message: string },
) {
  const tag = String(params.tag);
  if (params.tagValue === undefined) return at(segments, `missing required key '${tag}'`);
  const options = ((parent.oneOf ?? []) as Schema[])
    .map((s) => ((s.properties as Schema | undefined)?.[tag] as Schema | undefined)?.const)
    .filter((v) => v !== undefined)
    .map(String);
  const tagSegments = [...segments, tag];
  if (typeof params.tagValue !== 'string') return at(tagSegments, `must be a string, got ${describeValue(params.tagValue)}`);
  return at(tagSegments, `must be one of ${options.join(', ')}, got ${describeValue(params.tagValue)}`);
}

function rangeMessage(schema: Schema, keyword: string, value: unknown): string {
  const got = describeValue(value);
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  const xmin = schema.exclusiveMinimum as number | undefined;
  const xmax = schema.exclusiveMaximum as number | undefined;
  if (min !== undefined && max !== undefined) return `must be ${min}-${max}, got ${got}`;
  if (keyword === 'minimum') return `must be at least ${String(min)}, got ${got}`;
  if (keyword === 'maximum') return `must be at most ${String(max)}, got ${got}`;
  if (keyword === 'exclusiveMinimum') return `must be greater than ${String(xmin)}, got ${got}`;
  return `must be less than ${String(xmax)}, got ${got}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
};

function typeWords(type: unknown): string {
  const list = Array.isArray(type) ? type : String(type).split(',');
  return list.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

/** A short, unambiguous rendering of a YAML value for messages: strings quoted, lists and maps named. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}
