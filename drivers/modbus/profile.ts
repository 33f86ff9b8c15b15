import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type ConfigIssue } from '../../src/config/errors.js';
import { applySchemaDefaults } from '../../src/config/defaults.js';
import { formatPath } from '../../src/config/key-path.js';
import { validateWith } from '../../src/config/schema-validator.js';
import { TransientValidator } from '../../src/config/transient-validator.js';
import { parseYaml, type YamlSource } from '../../src/config/yaml-source.js';
import { modbusProfileSchema } from './profile-schema.js';
import type { ModbusProfile } from './profile-types.js';
import { checkProfile } from './profile-checks.js';

/** Compiled when profiles are read, released a few seconds later (src/config/transient-validator.ts). */
const validator = new TransientValidator(modbusProfileSchema);

/**
 * Parse and check a profile's YAML text. Throws one ConfigError listing every problem as
 * `points[2].type: must be one of ...` (paths relative to the profile file).
 */
export function parseProfile(text: string, sourcePath: string): ModbusProfile {
  const { source, issues } = parseYaml(text);
  if (!source) throw new ConfigError(issues, sourcePath);
  const schemaIssues = validateWith(validator.get(), source);
  if (schemaIssues.length > 0) throw new ConfigError(schemaIssues, sourcePath);

  const raw = source.data as Record<string, unknown>;
  const asWritten = structuredClone(raw);
  applySchemaDefaults(modbusProfileSchema, raw);
  // Per-point orders inherit the profile's, so decoding never has to look at two places.
  for (const p of raw.points as Record<string, unknown>[]) {
    p.byteOrder ??= raw.byteOrder;
    p.wordOrder ??= raw.wordOrder;
  }
  const profile = { name: profileName(sourcePath), ...raw, sourcePath: resolve(sourcePath) } as ModbusProfile;
  const problems = checkProfile(profile, asWritten).map((f) => withLine(source, f.segments, f.message));
  if (problems.length > 0) throw new ConfigError(problems, sourcePath);
  return profile;
}

/** Read and parse a profile file; an unreadable file is a ConfigError naming the file. */
export function loadProfileSync(path: string): ModbusProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw unreadableProfile(path, err);
  }
  return parseProfile(text, path);
}

export async function loadProfile(path: string): Promise<ModbusProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadableProfile(path, err);
  }
  return parseProfile(text, path);
}

/** Warnings to print with the plan; an example map must never be trusted silently. */
export function profileWarnings(profile: ModbusProfile): string[] {
  return profile.example
    ? [`profile '${profile.name}' (${profile.model}) is an EXAMPLE register map: check every address against the vendor's manual`]
    : [];
}

/**
 * The profiles shipped with hearth. Production runs compiled JavaScript from dist/, where tsc does
 * not copy YAML, so fall back from dist/drivers/modbus to the package's drivers/modbus/profiles.
 */
export function shippedProfileDir(): string {
  const here = fileURLToPath(new URL('./profiles/', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../../drivers/modbus/profiles/', import.meta.url));
}

/** `acme-sd100.yaml` -> `acme-sd100`. */
export function profileName(path: string): string {
  return basename(path, extname(path));
}

function unreadableProfile(path: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
  return new ConfigError([{ path, message: `cannot read profile file (${code})` }], path);
}

function withLine(source: YamlSource, segments: (string | number)[], message: string): ConfigIssue {
  const line = source.lineOf(segments);
  const issue: ConfigIssue = { path: formatPath(segments), message };
  if (line !== undefined) issue.line = line;
  return issue;
}
