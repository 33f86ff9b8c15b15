import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { fullWidthHints } from './full-width.js';

/** A parsed YAML file that can still tell which line a value came from. */
export interface YamlSource {
  data: unknown;
  /** 1-based line of the value at `segments` (object keys and array indexes), if it exists. */
  lineOf(segments: readonly (string | number)[]): number | undefined;
  /**
   * Full-width punctuation where YAML syntax goes (`id：gw-1`). It often parses, as a string where
   * a section was meant, and the schema's complaint alone would not say why: loaders add these to
   * the issues of a file that does not validate.
   */
  hints: ConfigIssue[];
}

/**
 * Parse YAML text. Syntax errors (and duplicate keys, which are usually a typo) come back as
 * issues named by line and column, since there is no key path to name yet; full-width punctuation
 * that explains them comes first.
 */
export function parseYaml(text: string): { source?: YamlSource; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: `line ${pos.line}, column ${pos.col}`, message: firstLine(e.message), line: pos.line };
    });
    return { issues: [...fullWidthHints(text), ...issues] };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return { source: { data, lineOf: (s) => lineOf(doc, lineCounter, s), hints: fullWidthHints(text) }, issues: [] };
}

function lineOf(doc: Document, lc: LineCounter, segments: readonly (string | number)[]): number | undefined {
  // Walk up to the nearest existing node: a missing key is best reported at its parent.
  for (let n = segments.length; n >= 0; n--) {
    const node: unknown = doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function firstLine(message: string): string {
  // The yaml package appends "at line X, column Y" and a source excerpt; the path already says where.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
