import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseConfigWithProfiles } from '../../src/config/load.js';
import { ConfigStore } from '../../src/remote/config-store.js';
import { transpileForChild } from '../fault/transpile.js';
import { configText, siteDir } from './fixtures.js';
import { sibling } from '../helpers/repo.js';

const child = transpileForChild(sibling(import.meta.url, './apply-child.ts'));
t.teardown(() => child.cleanup());

t.test('kill -9 while applying leaves the old or the new config, never a broken one', async (t) => {
  const { dir, path, text } = siteDir(t);
  // Large enough that a write is not a single syscall-sized moment.
  const padding = `# ${'x'.repeat(200_000)}\n`;
  const a = text + padding;
  const b = configText(dir).replace('1883', '1884') + padding;
  writeFileSync(join(dir, 'a.txt'), a);
  writeFileSync(join(dir, 'b.txt'), b);
  for (let round = 0; round < 8; round++) {
    const proc = spawn(process.execPath, [child.file, path, join(dir, 'a.txt'), join(dir, 'b.txt')], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 150)));
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    const onDisk = readFileSync(path, 'utf8');
    t.ok(onDisk === a || onDisk === b || onDisk === text, `round ${round}: the config is one of the complete versions`);
    t.doesNotThrow(() => parseConfigWithProfiles(onDisk, path));
    const lastGood = readFileSync(`${path}.last-good`, 'utf8');
    t.ok(lastGood === a || lastGood === b || lastGood === text, `round ${round}: last-good is complete`);
    const recovery = new ConfigStore(path).recover(Date.now());
    t.ok(['pending', 'abandoned', 'none'].includes(recovery.state), `round ${round}: recover settles (${recovery.state})`);
  }
});
