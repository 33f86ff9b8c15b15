import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { applyDefaults } from './defaults.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { formatPath } from './key-path.js';
import { loadDeviceProfiles, type DeviceProfiles } from './profiles.js';
import { checkRuleCommands } from './command-step-checks.js';
import { hearthConfigSchema } from './schema.js';
import { validateWith } from './schema-validator.js';
import { TransientValidator } from './transient-validator.js';
import { checkConfig, type Finding } from './semantic-checks.js';
import type { HearthConfig } from './types.js';
import { parseYaml, type YamlSource } from './yaml-source.js';

export interface LoadOptions {
  /**
   * Check that TLS and password files exist and are readable (default true). Off only to validate
   * a config away from its gateway, e.g. the shipped config/example.yaml with placeholder paths.
   */
  checkFiles?: boolean;
  /**
   * Also require that the places the config writes to are usable on this machine now: writable,
   * not below a plain file, the outbox quota within its filesystem (src/config/place-checks.ts).
   * On for a config arriving remotely, before it replaces a working one. Off at start: a state
   * directory that is read-only or full today is a storage fault the gateway runs through
   * (degraded, alarms still sounding), never a reason not to start.
   */
  forThisMachine?: boolean;
}

export interface LoadedConfig {
  config: HearthConfig;
  /** Device id -> profile, for building drivers and printing the plan. */
  profiles: DeviceProfiles;
}

/** Compiled when a config is read, released a few seconds later (transient-validator.ts). */
const validator = new TransientValidator(hearthConfigSchema);

/** Read, validate and complete a config file. Every problem comes back in one ConfigError. */
export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<HearthConfig> {
  return (await loadConfigWithProfiles(path, opts)).config;
}

export async function loadConfigWithProfiles(path: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path, message: `cannot read config file (${code})` }], path);
  }
  return parseConfigWithProfiles(text, path, opts);
}

/** Parse config text as if read from `sourcePath` (relative paths resolve against its folder). */
export function parseConfig(text: string, sourcePath: string, opts: LoadOptions = {}): HearthConfig {
  return parseConfigWithProfiles(text, sourcePath, opts).config;
}

/**
 * YAML -> schema validation -> defaults -> semantic checks (references, uniqueness, files, URLs)
 * -> profiles and per-device overrides. Semantic checks run only on schema-valid data, since they
 * rely on its shape; so a file with schema errors shows those first.
 */
export function parseConfigWithProfiles(text: string, sourcePath: string, opts: LoadOptions = {}): LoadedConfig {
  const absPath = resolve(sourcePath);
  const { source, issues } = parseYaml(text);
  if (!source) throw new ConfigError(issues, absPath);
  if (source.data === null || source.data === undefined) {
    throw new ConfigError([{ path: '(root)', message: 'the file is empty; at least a gateway section with an id is needed' }], absPath);
  }

  const schemaIssues = validateWith(validator.get(), source);
  if (schemaIssues.length > 0) throw new ConfigError([...source.hints, ...schemaIssues], absPath);

  const raw = source.data as Record<string, unknown>;
  applyDefaults(hearthConfigSchema, raw, dirname(absPath));
  const config = { ...raw, sourcePath: absPath } as unknown as HearthConfig;

  const findings = checkConfig(config, { checkFiles: opts.checkFiles ?? true, forThisMachine: opts.forThisMachine ?? false });
  const { profiles, findings: profileFindings } = loadDeviceProfiles(config);
  findings.push(...profileFindings, ...checkRuleCommands(config, profiles));
  if (findings.length > 0) throw new ConfigError(toIssues(findings, source), absPath);
  return { config, profiles };
}

function toIssues(findings: readonly Finding[], source: YamlSource): ConfigIssue[] {
  return findings
    .map((f, n) => {
      const issue: ConfigIssue = { path: formatPath(f.segments), message: f.message };
      const line = source.lineOf(f.segments);
      if (line !== undefined) issue.line = line;
      return { issue, n };
    })
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.n - b.n)
    .map(({ issue }) => issue);
}
