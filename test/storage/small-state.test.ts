import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { FaultReporter } from '../../src/faults/gateway-faults.js';
import { silentLogger } from '../../src/log/logger.js';
import { AtomicJsonFile } from '../../src/storage/json-state-file.js';
import { SmallState, type SmallStateOptions } from '../../src/storage/small-state.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/net.js';

/**
 * SmallState against real files: what it does with each kind of broken file at open, and with
 * writes that fail (a real full tmpfs and a real read-only one where the kernel allows the mount,
 * an injected error through the adapter otherwise).
 */

interface Data {
  n: number;
  names: string[];
}

function recordingFaults() {
  const log: { op: 'raise' | 'clear'; key: string; message: string }[] = [];
  const raised = new Set<string>();
  const faults: FaultReporter = {
    raise: (key, message) => {
      if (raised.has(key)) return;
      raised.add(key);
      log.push({ op: 'raise', key, message });
    },
    clear: (key, message = '') => {
      if (!raised.delete(key)) return;
      log.push({ op: 'clear', key, message });
    },
    active: (key) => raised.has(key),
  };
  return { faults, log };
}

function options(faults: FaultReporter, extra: Partial<SmallStateOptions<Data>> = {}): SmallStateOptions<Data> {
  return {
    defaults: { n: 0, names: [] },
    validate: (raw) => {
      const r = raw as Partial<Data>;
      return typeof raw === 'object' && raw !== null && typeof r.n === 'number' && Array.isArray(r.names) ? (raw as Data) : undefined;
    },
    faults,
    logger: silentLogger(),
    retryMs: { first: 50, max: 200 },
    ...extra,
  };
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-small-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const asideFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('state.json.unreadable-'));

t.test('a missing file starts from the defaults; updates land in the file', async (t) => {
  const dir = tempDir(t);
  const { faults, log } = recordingFaults();
  const path = join(dir, 'sub', 'state.json');
  const s = await SmallState.open(path, options(faults));
  t.same(s.data, { n: 0, names: [] });
  await s.update((d) => {
    d.n = 1;
  });
  t.same(JSON.parse(readFileSync(path, 'utf8')), { n: 1, names: [] });
  const again = SmallState.openSync(path, options(faults));
  t.same(again.data, { n: 1, names: [] }, 'read back (sync open)');
  t.same(log, [], 'no fault');
});

for (const [name, content] of [
  ['empty', ''],
  ['truncated', '{"n": 3, "names": ["a", "b'],
  ['garbage', '\u0000\u00ff\u0013 not json at all'],
  ['schema-invalid', '{"n": "three", "names": 7}'],
] as const) {
  t.test(`${name} file: moved aside (kept), fault raised, defaults; the next good write clears the fault`, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'state.json');
    writeFileSync(path, content);
    const { faults, log } = recordingFaults();
    const s = await SmallState.open(path, options(faults));
    t.same(s.data, { n: 0, names: [] });
    const aside = asideFiles(dir);
    t.equal(aside.length, 1, 'moved aside');
    t.equal(readFileSync(join(dir, aside[0]!), 'utf8'), content, 'never deleted: the content is kept as it was');
    t.notOk(existsSync(path));
    t.match(log, [{ op: 'raise', key: 'state:state.json', message: /moved aside to state\.json\.unreadable-/ }]);
    await s.update((d) => d.names.push('x'));
    t.same(JSON.parse(readFileSync(path, 'utf8')), { n: 0, names: ['x'] });
    t.match(log[1], { op: 'clear', key: 'state:state.json' });
  });
}

t.test('a file that cannot be read (a folder in its place: EISDIR) runs in memory and writes nothing', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'state.json');
  mkdirSync(path);
  const { faults, log } = recordingFaults();
  const s = await SmallState.open(path, options(faults));
  t.equal(s.persistent, false);
  t.match(log, [{ op: 'raise', key: 'state:state.json', message: /cannot read it \(EISDIR\); running on defaults in memory/ }]);
  await s.update((d) => {
    d.n = 5;
  });
  t.equal(s.data.n, 5, 'the change is in memory');
  t.same(readdirSync(path), [], 'nothing written over what could not be read');
  t.equal(log.length, 1, 'the fault stays raised');
});

t.test('writes never overlap and changes made meanwhile are coalesced', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'state.json');
  const real = new AtomicJsonFile<Data>(path);
  let inFlight = 0;
  let maxInFlight = 0;
  let writes = 0;
  const adapter = Object.assign(Object.create(real) as AtomicJsonFile<Data>, {
    write: async (data: Data) => {
      inFlight += 1;
      writes += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      await real.write(data);
      inFlight -= 1;
    },
  });
  const { faults } = recordingFaults();
  const s = await SmallState.open(path, options(faults, { adapter }));
  const all = Array.from({ length: 20 }, (_, i) => s.update((d) => d.names.push(`n${i}`)));
  await Promise.all(all);
  t.equal(maxInFlight, 1, 'one write at a time');
  t.ok(writes <= 3, `20 updates in ${writes} writes`);
  t.equal(JSON.parse(readFileSync(path, 'utf8')).names.length, 20, 'the last write carries every change');
});

t.test('a failed write never rejects: logged, fault raised, retried with backoff, cleared when it works', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'state.json');
  const real = new AtomicJsonFile<Data>(path);
  let fail = true;
  let attempts = 0;
  const adapter = Object.assign(Object.create(real) as AtomicJsonFile<Data>, {
    write: async (data: Data) => {
      attempts += 1;
      if (fail) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      await real.write(data);
    },
  });
  const { faults, log } = recordingFaults();
  const s = await SmallState.open(path, options(faults, { adapter }));
  await s.update((d) => {
    d.n = 7;
  });
  t.equal(s.data.n, 7, 'applied in memory at once');
  t.match(log, [{ op: 'raise', key: 'state:state.json', message: /cannot be written \(EIO\)/ }]);
  await waitFor(() => attempts >= 3, 5000);
  t.notOk(existsSync(path));
  fail = false;
  await waitFor(() => existsSync(path), 5000);
  t.same(JSON.parse(readFileSync(path, 'utf8')), { n: 7, names: [] }, 'the retry wrote the change without another update');
  t.match(log[1], { op: 'clear', key: 'state:state.json' });
  t.equal(s.writeFailures() >= 3, true);
  await s.close();
});

t.test('a really full file system (tmpfs): ENOSPC is a fault, the change waits in memory', async (t) => {
  const fs = mountTmpfs(t, 128);
  if (fs === undefined) return t.plan(0, 'skipped: no tmpfs mount here (the injected EIO test above covers the path)');
  const path = join(fs.dir, 'state.json');
  const { faults, log } = recordingFaults();
  const s = await SmallState.open(path, options(faults));
  await s.update((d) => {
    d.n = 1;
  });
  const filler = fs.fill();
  await s.update((d) => d.names.push('during the full disk'.repeat(300)));
  t.match(log, [{ op: 'raise', key: 'state:state.json', message: /cannot be written \(ENOSPC\)/ }]);
  t.same(JSON.parse(readFileSync(path, 'utf8')), { n: 1, names: [] }, 'the old file is intact');
  t.equal(readdirSync(fs.dir).filter((f) => f.endsWith('.tmp')).length, 0, 'no temp file left behind');
  unlinkSync(filler);
  await waitFor(() => log.length === 2, 5000);
  t.match(log[1], { op: 'clear', key: 'state:state.json' });
  t.equal(JSON.parse(readFileSync(path, 'utf8')).names.length, 1);
  await s.close();
});

t.test('a read-only file system (tmpfs remounted ro): good files load, writes fail as faults, bad files stay in memory', async (t) => {
  const fs = mountTmpfs(t, 128);
  if (fs === undefined) return t.plan(0, 'skipped: no tmpfs mount here (see the EISDIR and EIO tests)');
  const good = join(fs.dir, 'state.json');
  const bad = join(fs.dir, 'other.json');
  writeFileSync(good, JSON.stringify({ n: 4, names: [] }));
  writeFileSync(bad, '{"n":');
  fs.readOnly();
  const { faults, log } = recordingFaults();
  const s = await SmallState.open(good, options(faults));
  t.equal(s.data.n, 4, 'read from the read-only card');
  await s.update((d) => {
    d.n = 5;
  });
  t.match(log, [{ op: 'raise', key: 'state:state.json', message: /EROFS/ }]);
  await s.close();
  const o = await SmallState.open(bad, options(faults));
  t.equal(o.persistent, false, 'cannot be moved aside: memory only');
  t.same(o.data, { n: 0, names: [] });
  t.match(log[1], { op: 'raise', key: 'state:other.json', message: /cannot move it aside \(EROFS\)/ });
  t.equal(readFileSync(bad, 'utf8'), '{"n":', 'left as it was');
});
