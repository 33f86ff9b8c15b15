import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO, repoPath } from './repo.js';

/**
 * Whether this run uses the compiled tree: `npm test` compiles everything into dist/ and runs the
 * compiled tests from there (no TypeScript loader in any process, which saves seconds per test
 * file on a 2-core machine); HEARTH_TEST_FROM_DIST=1 asks the same of children when the tests
 * themselves run from sources.
 */
const FROM_DIST = import.meta.url.endsWith('.js') || process.env.HEARTH_TEST_FROM_DIST === '1';

/**
 * The node arguments that run one of the repository's entry points (the CLI, a script, a test's
 * child) in a child process: the compiled JavaScript when this run uses dist/, otherwise the
 * TypeScript source with the test's own loader flags. A .js path is used as it is.
 */
export function nodeArgsFor(entry: string): string[] {
  if (entry.endsWith('.js')) return [entry];
  if (FROM_DIST) {
    const compiled = repoPath('dist', relative(REPO, entry).replace(/\.ts$/, '.js'));
    if (existsSync(compiled)) return [compiled];
  }
  return [...process.execArgv, entry];
}

/** Whether `npm test` built dist/ for this run (fresh, so tests may copy it rather than compile again). */
export function distIsFresh(): boolean {
  return FROM_DIST && existsSync(repoPath('dist/src/main.js'));
}
