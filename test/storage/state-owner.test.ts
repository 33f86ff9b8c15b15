import t from 'tap';
import { chownSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from '../../src/storage/atomic-file.js';
import { mkdirOwned, ownerFor } from '../../src/storage/state-owner.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;

t.test('root writing into a folder the service owns leaves the file to the service, with its mode', { skip: root ? false : 'needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-owner-'));
  chownSync(dir, 65534, 65534);
  t.same(ownerFor(dir), { uid: 65534, gid: 65534 });
  writeFileAtomic(join(dir, 'api-token'), 'x\n', 0o600);
  await writeFileAtomicAsync(join(dir, 'state.json'), '{}', 0o640);
  for (const [name, mode] of [['api-token', 0o600], ['state.json', 0o640]] as const) {
    const st = statSync(join(dir, name));
    t.equal(st.uid, 65534, `${name}: owned by the folder's owner`);
    t.equal(st.gid, 65534, `${name}: group of the folder`);
    t.equal(st.mode & 0o777, mode, `${name}: mode kept`);
  }
});

t.test("root's own folder: files stay root's", { skip: root ? false : 'needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-owner-'));
  t.equal(ownerFor(dir), undefined);
  writeFileAtomic(join(dir, 'f'), 'x', 0o600);
  t.equal(statSync(join(dir, 'f')).uid, 0);
});

t.test('folders root makes under a folder the service owns go to the service', { skip: root ? false : 'needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-owner-'));
  chownSync(dir, 65534, 65534);
  mkdirOwned(join(dir, 'state', 'sub'), 0o700);
  for (const d of [join(dir, 'state'), join(dir, 'state', 'sub')]) {
    const st = statSync(d);
    t.equal(st.uid, 65534, `${d}: the service's`);
    t.equal(st.gid, 65534);
  }
  mkdirOwned(join(dir, 'state', 'sub'));
  t.equal(statSync(join(dir, 'state')).uid, 65534, 'a folder that exists is left alone');
});

t.test("folders made under root's own folder stay root's", { skip: root ? false : 'needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-owner-'));
  mkdirOwned(join(dir, 'a', 'b'));
  t.equal(statSync(join(dir, 'a', 'b')).uid, 0);
});
