import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import t from 'tap';
import { cruise } from 'dependency-cruiser';
import { layerTable, withLayerTable } from '../../scripts/gen-architecture.js';
import { REPO } from '../helpers/repo.js';

const ROOT = REPO;
const MAX_LINES = 400;

t.test('every import of src/ and drivers/ keeps to the layer rules (.dependency-cruiser.cjs)', async (t) => {
  const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs'));
  const result = await cruise(['src', 'drivers'], { ...config.options, ruleSet: { forbidden: config.forbidden }, baseDir: ROOT, validate: true });
  const output = result.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
  t.ok(output.summary.totalCruised > 200, `${output.summary.totalCruised} modules cruised`);
  t.same(output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), [], 'no violations');
});

t.test(`no file in src/ or drivers/ is over ${MAX_LINES} lines`, async (t) => {
  const long: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|cjs|mjs)$/.test(name)) {
        const lines = readFileSync(path, 'utf8').split('\n').length;
        if (lines > MAX_LINES) long.push(`${relative(ROOT, path)}: ${lines}`);
      }
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'drivers'));
  t.same(long, []);
});

t.test('docs/architecture.md shows the layers as the rules define them', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  t.equal(withLayerTable(doc, layerTable(ROOT)), doc, 'up to date (run: npm run build && node dist/scripts/gen-architecture.js)');
});
