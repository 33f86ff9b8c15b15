import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The YAML snippets of a markdown file, and how each is checked. A fenced ```yaml block is checked
 * against the configuration schema (a full config, or a fragment wrapped in a minimal one) or the
 * device-profile schema, whichever its top-level keys belong to. A block that is deliberately
 * partial (`points: [...]`, the shape of a file rather than a file) is marked with an HTML comment
 * `<!-- snippet: partial -->` on the line before its fence, and is only parsed as YAML.
 */
export interface Snippet {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
  partial: boolean;
}

export function yamlSnippets(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```ya?ml\s*$/.test(lines[i]!)) continue;
    const indent = /^\s*/.exec(lines[i]!)![0].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    const before = lines.slice(Math.max(0, i - 2), i).join('\n');
    out.push({ file, line: i + 1, text: `${body.join('\n')}\n`, partial: /<!--\s*snippet:\s*partial\b/.test(before) });
    i = j;
  }
  return out;
}

export type SnippetKind = 'config' | 'profile';

/** Which schema a snippet's top-level keys belong to; undefined when they fit neither. */
export function snippetKind(text: string, configKeys: readonly string[], profileKeys: readonly string[]): SnippetKind | undefined {
  const data: unknown = parse(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const keys = Object.keys(data);
  if (keys.length > 0 && keys.every((k) => configKeys.includes(k))) return 'config';
  if (keys.length > 0 && keys.every((k) => profileKeys.includes(k))) return 'profile';
  return undefined;
}
