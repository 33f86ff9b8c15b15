import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Writes the layer table of docs/architecture.md from the layer rules dependency-cruiser checks
 * (.dependency-cruiser.cjs), between the BEGIN/END markers, so the page cannot drift from what
 * `npm test` enforces. `node dist/scripts/gen-architecture.js` after a change of the rules.
 */
// Compiled to dist/scripts/: the repository is two folders up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BEGIN = '<!-- BEGIN layers (generated from .dependency-cruiser.cjs by scripts/gen-architecture.ts) -->';
export const END = '<!-- END layers -->';

interface Rule {
  name: string;
  comment?: string;
  from: { path?: string; pathNot?: string };
}

export function layerTable(root = ROOT): string {
  const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as { forbidden: Rule[] };
  const layers = config.forbidden.filter((r) => r.name.startsWith('layer-'));
  const rows = layers.map((r, i) => `| ${i + 1} | ${r.name.slice('layer-'.length)} | ${where(r.from)} | ${r.comment ?? ''} |`);
  const others = config.forbidden.filter((r) => !r.name.startsWith('layer-')).map((r) => `- \`${r.name}\`: ${r.comment ?? ''}`);
  return [
    BEGIN,
    '',
    'Each layer may import from the layers above it in this table and from itself, never from one below it.',
    '',
    '| # | layer | where | what |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Also checked:',
    '',
    ...others,
    '',
    END,
  ].join('\n');
}

/** A rule's `from` as people read it: `src/a/`, `src/b/` except `x`. */
function where(from: Rule['from']): string {
  const list = (regex: string) => paths(regex).map((p) => `\`${p}\``).join(', ');
  return from.pathNot ? `${list(from.path ?? '')} except ${list(from.pathNot)}` : list(from.path ?? '');
}

/** `^src/(a|b)/|^src/x[.]ts$` → `src/a/`, `src/b/`, `src/x.ts` (for people, not for matching). */
function paths(regex: string): string[] {
  return regex
    .split('|^')
    .map((p) => p.replace(/^\^/, '').replace(/\[\.\]/g, '.').replace(/\$$/, '').replace(/\[\^\/\]\+/g, '<kind>').replace(/\[\^\/\]\*/g, '*'))
    .flatMap((p) => {
      const m = /^(.*)\(([^)]*)\)(.*)$/.exec(p);
      return m ? m[2]!.split('|').map((alt) => `${m[1]}${alt}${m[3]}`) : [p];
    });
}

export function withLayerTable(doc: string, table: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/architecture.md: the layer markers are missing');
  return doc.slice(0, a) + table + doc.slice(b + END.length);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = join(ROOT, 'docs', 'architecture.md');
  writeFileSync(file, withLayerTable(readFileSync(file, 'utf8'), layerTable()));
  process.stdout.write(`wrote ${file}\n`);
}
