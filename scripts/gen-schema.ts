/**
 * Writes the published JSON Schemas (config/hearth.schema.json, drivers/modbus/profile.schema.json)
 * from their TypeScript sources. `--check` only compares and exits 1 if a file is out of date.
 *
 *   npm run build && node dist/scripts/gen-schema.js [--check]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedSchemas } from '../src/config/published-schemas.js';

/** The repository root: the nearest folder above this file with a package.json (works from dist/ too). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

const check = process.argv.includes('--check');
const root = repoRoot();
let stale = 0;
for (const { path, text } of publishedSchemas()) {
  const file = join(root, path);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(`${path} is out of date: run node dist/scripts/gen-schema.js`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
