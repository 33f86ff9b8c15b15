import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where tests find the repository's files. `npm test` runs the compiled tests under dist/test/,
 * one folder deeper than the sources, so a path such as `new URL('../../docs/x', import.meta.url)`
 * would point into dist/. Tests name repository files through `repoPath` instead, and their own
 * sibling modules (children they spawn) through `sibling`, which works from either tree.
 */
function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** The repository's root folder (the one with package.json). */
export const REPO = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of the repository, by its path from the root: `repoPath('docs/api.md')`. */
export function repoPath(...parts: string[]): string {
  return join(REPO, ...parts);
}

/**
 * A module beside the calling one (`sibling(import.meta.url, './child.ts')`), in the form that
 * runs: the .ts source when the caller runs from sources, the compiled .js when it runs from dist/.
 */
export function sibling(metaUrl: string, relative: string): string {
  const fromDist = metaUrl.endsWith('.js');
  const path = resolve(dirname(fileURLToPath(metaUrl)), relative);
  return fromDist ? path.replace(/\.ts$/, '.js') : path;
}
