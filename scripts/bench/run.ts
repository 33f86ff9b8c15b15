import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench`: runs every `*.bench.js` beside this file (compiled from scripts/bench/*.bench.ts)
 * in name order, each in this process one after another, and prints one line per figure as
 * `name: value unit`. A bench module exports `run(report)`. Benchmarks target loopback only and
 * stop by themselves. Pass name fragments to run a subset: `npm run bench -- pipeline`.
 */
export type Report = (name: string, value: number, unit: string) => void;
export interface BenchModule {
  run(report: Report): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const report: Report = (name, value, unit) => {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
  process.stdout.write(`${name}: ${shown} ${unit}\n`);
};

let failed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  try {
    await mod.run(report);
  } catch (err) {
    failed++;
    process.stderr.write(`${file}: failed: ${(err as Error).stack ?? String(err)}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
