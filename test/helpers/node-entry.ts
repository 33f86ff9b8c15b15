import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The node arguments that run one of the repository's TypeScript entry points (the CLI, a script)
 * in a child process. `npm test` compiles the tree into dist/ first and sets
 * HEARTH_TEST_FROM_DIST=1: children then run the compiled JavaScript, which starts in a fraction
 * of the time the TypeScript loader needs (the CLI tests spawn it hundreds of times). Run alone
 * (`npx tap test/x.test.ts`), where dist/ may be stale, children use the sources with the test's
 * own loader flags. From the compiled tree itself (the benchmarks) the .js file is used as it is.
 */
export function nodeArgsFor(entry: string): string[] {
  if (entry.endsWith('.js')) return [entry];
  if (process.env.HEARTH_TEST_FROM_DIST === '1') {
    const compiled = `${REPO}dist/${relative(REPO, entry).replace(/\.ts$/, '.js')}`;
    if (existsSync(compiled)) return [compiled];
  }
  return [...process.execArgv, entry];
}

/** Whether `npm test` built dist/ for this run (fresh, so tests may copy it rather than compile again). */
export function distIsFresh(): boolean {
  return process.env.HEARTH_TEST_FROM_DIST === '1' && existsSync(`${REPO}dist/src/main.js`);
}
