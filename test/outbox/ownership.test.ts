import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SEQUENCE_MARK_FILE } from '../../src/outbox/sequence-mark.js';
import { store } from './resilient-fixtures.js';
import { fireAlarm, reading, tempDir } from './fixtures.js';
import { nodeArgsFor } from '../helpers/node-entry.js';
import { sibling } from '../helpers/repo.js';

/**
 * `sudo hearth …` (commissioning: a first run by hand, `hearth outbox stats`) must not leave files
 * in the state folder that the service user cannot write afterwards. The tests run as root; the
 * state folder belongs to uid 65534, standing in for the service user.
 */
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const SERVICE = 65534;
const MAIN = sibling(import.meta.url, '../../src/main.ts');

/** Every file and folder under `dir` that is not the service's, with its owner. */
function notTheService(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, name));
    if (st.uid !== SERVICE || st.gid !== SERVICE) out.push(`${name} (${st.uid}:${st.gid})`);
  }
  return out;
}

t.test('the outbox opened by root in the service\'s state folder: every file it makes is the service\'s', { skip: root ? false : 'needs root' }, async (t) => {
  const stateDir = join(tempDir(t, 'hearth-owner-'), 'state');
  mkdirSync(stateDir);
  chownSync(stateDir, SERVICE, SERVICE);
  // The outbox in a folder of its own that does not exist yet: made for the service too.
  const path = join(stateDir, 'queue', 'outbox.db');
  const { s } = store(t, path, { stateDir, outbox: { reserveMb: 1, sequenceBlockSize: 10 } });
  s.start();
  for (let i = 0; i < 30; i++) s.appendReading(reading(s.next()));
  s.appendEvent(fireAlarm(s.next()));
  s.flush();
  const names = readdirSync(stateDir, { recursive: true }) as string[];
  for (const f of [SEQUENCE_MARK_FILE, 'queue', 'queue/outbox.db', 'queue/outbox.db-wal', 'queue/outbox.db-shm', 'queue/outbox.db.reserve']) t.ok(names.includes(f), `${f} is there`);
  t.same(notTheService(stateDir), [], 'all of them belong to the service');
  t.equal(statSync(join(stateDir, SEQUENCE_MARK_FILE)).mode & 0o777, 0o640, 'the mark has the mode of the other state files');
  s.close();

  // `sudo hearth outbox stats` on the stopped service's file: SQLite makes -wal and -shm for a
  // read-only open; they take the database file's owner.
  const stats = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, [...nodeArgsFor(MAIN), 'outbox', 'stats', '--file', path], { timeout: 60_000 }, (err, _out, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: unknown }).code), stderr }),
    ),
  );
  t.equal(stats.code, 0, stats.stderr);
  t.same(notTheService(stateDir), [], 'after hearth outbox stats as root: still all the service\'s');
});
