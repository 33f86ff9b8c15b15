import t from 'tap';
import { selftestCommand } from '../../src/cli/commands/selftest.js';

// The release check the installer runs before switching (test/install/release.test.ts runs it on
// an installed release and on one without node_modules).
t.test('hearth selftest loads every part and the native modules, touching no device', async (t) => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await selftestCommand.run([]);
  } finally {
    process.stdout.write = write;
  }
  const text = out.join('');
  t.equal(code, 0, text);
  for (const part of ['hearth modules', 'better-sqlite3 (native)', 'serialport binding (native)']) t.match(text, new RegExp(`^ok +${part.replace(/[()]/g, '\\$&')}$`, 'm'));
  t.match(text, /selftest passed/);
  t.equal(await selftestCommand.run(['--frob']), 64, 'no options');
});
