import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AuditLog, type AuditEntry } from '../../src/remote/audit-log.js';

/** AuditLog.newest: the end of the log, newest first, torn lines skipped, a long log not read whole. */
const dir = mkdtempSync(join(tmpdir(), 'hearth-audit-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({ at: 1_000 + i, by: 'console:flat-101', command: 'POST /api/alarms/:id/ack', id: `e${i}`, params: { i }, outcome: 'done', code: 'OK', ...extra });

t.test('no file yet: nothing', async (t) => {
  t.same(new AuditLog(join(dir, 'none')).newest(10), []);
});

t.test('newest first, limited, optional fields kept, a torn last line skipped', async (t) => {
  const log = new AuditLog(join(dir, 'a'));
  for (let i = 0; i < 5; i++) t.ok(log.append(entry(i, i === 4 ? { user: 'flat-101', role: 'viewer', via: 'console', from: '192.0.2.7' } : {})));
  appendFileSync(log.path, '{"at":2000,"by":"cut off by a crash'); // a write torn by power loss
  const newest = log.newest(3);
  t.same(newest.map((e) => e.id), ['e4', 'e3', 'e2']);
  t.match(newest[0], { user: 'flat-101', role: 'viewer', via: 'console', from: '192.0.2.7' });
  t.equal(log.newest(100).length, 5);
});

t.test('a log longer than what is read: the newest entries, the cut first line dropped', async (t) => {
  const log = new AuditLog(join(dir, 'long'));
  const pad = 'x'.repeat(2000);
  for (let i = 0; i < 400; i++) log.append(entry(i, { message: pad }));
  const newest = log.newest(1000);
  t.ok(newest.length > 100 && newest.length < 400, `${newest.length} entries from the end`);
  t.equal(newest[0]!.id, 'e399');
  t.ok(newest.every((e, i) => i === 0 || Number(e.id.slice(1)) === Number(newest[i - 1]!.id.slice(1)) - 1), 'consecutive, none garbled');
});
