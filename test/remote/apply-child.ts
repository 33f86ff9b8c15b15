import { readFileSync } from 'node:fs';
import { ConfigStore } from '../../src/remote/config-store.js';

// Applies two configs (read from the files given) alternately forever, as fast as it can, until killed.
const [path, a, b] = process.argv.slice(2) as [string, string, string];
const store = new ConfigStore(path);
const texts = [readFileSync(a, 'utf8'), readFileSync(b, 'utf8')];
let n = 0;
for (;;) {
  store.apply(texts[n % 2]!, Date.now() + 60_000, 'kill9-test', Date.now());
  if (n === 0) process.stdout.write('ready\n');
  n++;
}
