import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigIssue } from './errors.js';
import { issueFromAjvError } from './ajv-messages.js';
import type { YamlSource } from './yaml-source.js';

/**
 * One ajv instance setup for config and profile schemas: all errors (an installer fixes everything
 * in one go), verbose (the messages quote the offending value and the schema's limits), and
 * `discriminator` so a bus's `type` selects its branch instead of reporting every branch's errors.
 */
export function compileSchema(schema: object): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, verbose: true, discriminator: true, strict: true, strictTypes: false, strictRequired: false });
  return ajv.compile(schema);
}

/** Validate parsed YAML, returning readable `path: message` issues in file order. */
export function validateWith(validate: ValidateFunction, source: YamlSource): ConfigIssue[] {
  if (validate(source.data)) return [];
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const err of (validate.errors ?? []) as ErrorObject[]) {
    const issue = issueFromAjvError(err);
    if (!issue) continue;
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = source.lineOf(issue.segments);
    issues.push(line === undefined ? { path: issue.path, message: issue.message } : { path: issue.path, message: issue.message, line });
  }
  // Stable sort by line: errors read top to bottom like the file.
  return issues
    .map((i, n) => ({ i, n }))
    .sort((a, b) => (a.i.line ?? 0) - (b.i.line ?? 0) || a.n - b.n)
    .map(({ i }) => i);
}
