import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { COMMAND_NAMES } from '../../src/cli/index.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { repoPath } from '../helpers/repo.js';

/** `--help` on every command (docs/cli.md promises it), and suggestions for mistyped commands and flags. */

t.test('every command prints its usage for --help and exits 0', async (t) => {
  // Three at a time: each child compiles the sources, and a small test machine has few cores.
  const results: { name: string; r: Awaited<ReturnType<typeof runHearth>> }[] = [];
  for (let i = 0; i < COMMAND_NAMES.length; i += 3) {
    const batch = COMMAND_NAMES.slice(i, i + 3);
    results.push(...(await Promise.all(batch.map(async (name) => ({ name, r: await runHearth([name, '--help']) })))));
  }
  for (const { name, r } of results) {
    t.equal(r.code, 0, `hearth ${name} --help exits 0 (${r.stderr})`);
    t.match(r.stdout, new RegExp(`^Usage: hearth ${name}\\b`), `hearth ${name} --help prints its usage`);
  }
});

t.test('-h and "hearth help COMMAND" too, and --help anywhere on the line does nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-help-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'ops.pem');
  const [short, viaHelp, keygen, sub] = await Promise.all([
    runHearth(['check', '-h']),
    runHearth(['help', 'scan']),
    runHearth(['keygen', '--out', key, '--help']),
    runHearth(['user', 'add', 'flat-101', '--role', 'viewer', '--help']),
  ]);
  t.equal(short.code, 0);
  t.match(short.stdout, /^Usage: hearth check/);
  t.equal(viaHelp.code, 0);
  t.match(viaHelp.stdout, /^Usage: hearth scan/);
  t.equal(keygen.code, 0);
  t.notOk(existsSync(key), 'keygen --help writes no key');
  t.equal(sub.code, 0);
  t.match(sub.stdout, /^Usage: hearth user add/);
});

t.test('every command docs/cli.md lists exists', async (t) => {
  const doc = readFileSync(repoPath('docs/cli.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `hearth (\w+)/gm)].map((m) => m[1]!);
  t.ok(documented.length >= 8, 'the table was found');
  for (const name of new Set(documented)) t.ok(COMMAND_NAMES.includes(name), `hearth ${name} exists`);
});

t.test('a mistyped command or flag gets a suggestion, exit 64', async (t) => {
  const [chek, helpChek, flag, nothing] = await Promise.all([
    runHearth(['chek']),
    runHearth(['help', 'raed']),
    runHearth(['check', '--skip-file-chekcs', 'x.yaml']),
    runHearth(['frobnicate']),
  ]);
  t.equal(chek.code, 64);
  t.match(chek.stderr, /unknown command 'chek'; did you mean 'check'\?/);
  t.equal(helpChek.code, 64);
  t.match(helpChek.stderr, /did you mean 'read'\?/);
  t.equal(flag.code, 64);
  t.match(flag.stderr, /Unknown option '--skip-file-chekcs'; did you mean --skip-file-checks\?/);
  t.equal(nothing.code, 64);
  t.notMatch(nothing.stderr, /did you mean/, 'no guess when nothing is close');
  t.match(nothing.stderr, /Commands:/, 'the list of commands instead');
});
