import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runHearth } from '../helpers/hearth-cli.js';

/**
 * A Chinese input method left on types `：` for `:`. `hearth check` names the line, the column and
 * the character, and says which ASCII one YAML needs; full-width text inside values is left alone.
 */

const VALID_TAIL = `platform: { url: 'mqtts://platform.example.net:8883' }
api: { enabled: false }
`;

function check(t: { teardown(fn: () => void): void }, yaml: string): Promise<Awaited<ReturnType<typeof runHearth>>> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-fullwidth-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hearth.yaml');
  writeFileSync(file, yaml);
  return runHearth(['check', file, '--skip-file-checks']);
}

t.test('a full-width colon after a key: the line, the character and the fix', async (t) => {
  const r = await check(t, `gateway:\n  id：gw-1\n  name: 一楼，大厅\n${VALID_TAIL}`);
  t.equal(r.code, 78, 'configuration invalid');
  t.match(r.stderr, /line 2, column 5: a full-width colon '：' \(U\+FF1A\): YAML needs the ASCII ':' here/);
  t.match(r.stderr, /Implicit keys need to be on a single line/, "the parser's own message follows");
  t.notMatch(r.stderr, /line 3/, 'the comma inside the name is text, not syntax');
});

t.test('full-width braces and commas of a flow map', async (t) => {
  const r = await check(t, `gateway:\n  id: gw-1\n  location: ｛ building: B， floor: '1' ｝\n${VALID_TAIL}`);
  t.equal(r.code, 78);
  t.match(r.stderr, /line 3, column 13: a full-width brace '｛' \(U\+FF5B\): YAML needs the ASCII '\{' here/);
  t.match(r.stderr, /line 3, column 26: a full-width comma '，'/);
  t.match(r.stderr, /line 3, column \d+: a full-width brace '｝'/);
});

t.test('YAML that parses but not as meant: the hint comes with the schema errors', async (t) => {
  const r = await check(t, `gateway:\n  id: gw-1\n  location: { building: B }\nprofilePaths: ［/etc/hearth/profiles］\n${VALID_TAIL}`);
  t.equal(r.code, 78);
  t.match(r.stderr, /line 4, column 15: a full-width bracket '［' \(U\+FF3B\): YAML needs the ASCII '\[' here/);
  t.match(r.stderr, /profilePaths: /, 'and the schema says what it got');
});

t.test('a full-width hash meant as a comment', async (t) => {
  const r = await check(t, `gateway:\n  id: gw-1  ＃ 网关编号\n  location: { building: B }\n${VALID_TAIL}`);
  t.equal(r.code, 78);
  t.match(r.stderr, /line 2, column 13: a full-width hash '＃' \(U\+FF03\): YAML needs the ASCII '#' here/);
});

t.test('a file with full-width text in values only is valid', async (t) => {
  const r = await check(t, `gateway:\n  id: gw-1\n  name: 和平里3号楼，东单元\n  location: { building: '3号楼：东', floor: '1' }\n${VALID_TAIL}`);
  t.equal(r.code, 0, r.stderr);
});
