import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { hearthConfigSchema } from '../../src/config/schema.js';
import { parseProfile } from '../../drivers/modbus/profile.js';
import { modbusProfileSchema } from '../../drivers/modbus/profile-schema.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { snippetKind, yamlSnippets } from './snippets.js';
import { REPO } from '../helpers/repo.js';

/**
 * Every YAML snippet in the guides installers follow is valid against the schema hearth checks
 * with: a guide that says `activeLow` where the config has `contact: NC` sends an installer to
 * `hearth check` errors in a stairwell. Config snippets go through `hearth check` itself, run as a
 * child; profile snippets through the profile loader. How snippets are told apart, and how to mark
 * a deliberately partial one: ./snippets.ts.
 */

const root = REPO + '/';
const FILES = ['docs/installer-guide.en.md', 'docs/installer-guide.zh-CN.md', 'docs/cli.md', 'README.md', 'drivers/modbus/README.md', 'docs/device-commands.md'];

/** What a fragment of a site config is missing to stand alone; its own sections win. */
const MINIMAL_CONFIG = { gateway: { id: 'snippet', location: { building: 'Snippet' } }, platform: { url: 'mqtt://localhost:1883' } };
const MINIMAL_PROFILE = { model: 'SNIPPET', kind: 'io' };

const configKeys = Object.keys(hearthConfigSchema.properties as object);
const profileKeys = Object.keys(modbusProfileSchema.properties as object);

const scratch = mkdtempSync(join(tmpdir(), 'hearth-snippets-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

for (const file of FILES) {
  t.test(file, async (t) => {
    const snippets = yamlSnippets(join(root, file));
    if (snippets.length === 0) t.pass('no YAML snippets');
    for (const s of snippets) {
      const where = `${file}:${s.line}`;
      if (s.partial) {
        t.doesNotThrow(() => parse(s.text), `${where}: marked partial, parses as YAML`);
        continue;
      }
      const kind = snippetKind(s.text, configKeys, profileKeys);
      if (kind === undefined) {
        t.fail(`${where}: neither a config nor a profile; fix it, or mark it <!-- snippet: partial --> if it is the shape of one`);
        continue;
      }
      const data = parse(s.text) as Record<string, unknown>;
      if (kind === 'config') {
        const config = join(scratch, `${file.replace(/\W/g, '_')}-${s.line}.yaml`);
        writeFileSync(config, stringify({ ...MINIMAL_CONFIG, ...data }));
        const r = await runHearth(['check', config, '--skip-file-checks']);
        t.equal(r.code, 0, `${where}: hearth check says valid\n${r.stderr}`);
        continue;
      }
      // Parsed as if next to the markdown, so relative paths resolve as the text says.
      const asIfAt = join(root, dirname(file), 'snippet.yaml');
      try {
        parseProfile(stringify({ ...MINIMAL_PROFILE, ...data }), asIfAt);
        t.pass(`${where}: a valid profile`);
      } catch (err) {
        t.fail(`${where}: not a valid profile (${relative(root, asIfAt)}):\n${(err as Error).message}`);
      }
    }
  });
}
