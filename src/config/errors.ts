import { HearthError } from '../errors.js';

/** One problem found in a configuration or profile file, in the style `devices[3].address: must be 1-247, got 300`. */
export interface ConfigIssue {
  /** Where: `devices[3].address`, `(root)`, a file path, or `line 4, column 7` for YAML syntax. */
  path: string;
  message: string;
  /** 1-based line in the source file, when known (editors and the CLI may show it). */
  line?: number;
}

/**
 * Everything wrong with a configuration, collected into one error so an installer fixes all of it
 * in one round instead of one problem per restart. The message is the list of `path: message` lines.
 */
export class ConfigError extends HearthError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], readonly sourcePath?: string) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }

  /** The issues as printable `path: message` lines. */
  lines(): string[] {
    return this.issues.map(formatIssue);
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

