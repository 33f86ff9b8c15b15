import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type TypeScript from 'typescript';
import { REPO } from '../helpers/repo.js';

const ROOT = REPO;

/**
 * Compiles `entry` and every module it imports relatively into plain JavaScript under the repo's
 * node_modules/.cache (so `better-sqlite3` still resolves), for child processes that are started
 * hundreds of times: plain `node file.js` starts in a fraction of the time a TypeScript loader
 * needs. Transpile only, like the tests themselves. Returns the compiled entry and a cleanup.
 */
export function transpileForChild(entry: string): { file: string; cleanup: () => void } {
  // Run from the compiled tree (`npm test`), the child is plain JavaScript already.
  if (entry.endsWith('.js')) return { file: entry, cleanup: () => undefined };
  // Loaded only here: the compiler takes a good part of a second to load, and the compiled run never needs it.
  const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;
  const base = join(ROOT, 'node_modules', '.cache');
  mkdirSync(base, { recursive: true });
  const out = mkdtempSync(join(base, 'hearth-fault-'));
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) queue.push(resolve(dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return {
    file: join(out, relative(ROOT, resolve(entry))).replace(/\.ts$/, '.js'),
    cleanup: () => rmSync(out, { recursive: true, force: true }),
  };
}
