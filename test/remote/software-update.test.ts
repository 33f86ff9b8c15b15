import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../src/log/logger.js';
import { SoftwareUpdater } from '../../src/remote/update/software-updater.js';
import type { UpdateRequest } from '../../src/remote/update/update-files.js';
import { verifyRequest } from '../../src/remote/update/verify-request.js';
import { tempDir } from '../outbox/fixtures.js';
import { operator, signedParams } from './signing-fixtures.js';

/** The gateway's half of a software update (download, checks, the request) and the root side's check of a request. */
const BUNDLE = Buffer.from('pretend this is a bundle '.repeat(1000));
const SHA = createHash('sha256').update(BUNDLE).digest('hex');
const ops = operator('ops');
const reply = { id: 'r1', name: 'update_software', topic: 't' };

async function server(t: { teardown(fn: () => unknown): void }) {
  const held: ServerResponse[] = [];
  const s = createServer((req, res) => {
    if (req.url === '/slow') {
      held.push(res); // answered when the test says so
      return;
    }
    if (req.url === '/bigger') {
      res.writeHead(200);
      res.end(Buffer.concat([BUNDLE, Buffer.from('extra')]));
      return;
    }
    res.writeHead(req.url === '/bundle' ? 200 : 404, { 'content-length': req.url === '/bundle' ? BUNDLE.length : 0 });
    res.end(req.url === '/bundle' ? BUNDLE : undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))));
  const base = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  return { base, release: () => held.splice(0).forEach((res) => res.writeHead(200).end(BUNDLE)) };
}

t.test('refusals, a verified download handed over, and the checks of size and SHA-256', async (t) => {
  const dir = tempDir(t, 'hearth-sw-');
  const { base, release } = await server(t);
  let fire = 0;
  const u = new SoftwareUpdater({ stateDir: dir, version: '1.0.0', activeFireAlarms: () => fire, now: () => Date.now(), logger: silentLogger() });
  const env = signedParams(ops, 'update_software', {}, { ts: Date.now() });
  const p = { version: '1.1.0', url: `${base}/bundle`, sha256: SHA, size: BUNDLE.length };
  fire = 1;
  t.match(await u.update(p, env, reply), { ok: false, code: 'fire_alarm_active' });
  fire = 0;
  t.match(await u.update({ ...p, version: '1.0.0' }, env, reply), { ok: false, code: 'same_version' });
  t.match(await u.update({ ...p, url: `${base}/bigger` }, env, reply), { ok: false, code: 'size_mismatch' });
  t.match(await u.update({ ...p, url: `${base}/missing` }, env, reply), { ok: false, code: 'download_failed', message: /HTTP 404/ });
  t.match(await u.update({ ...p, sha256: 'a'.repeat(64) }, env, reply), { ok: false, code: 'sha256_mismatch' });
  t.notOk(existsSync(join(dir, 'update/request.json')), 'nothing staged so far');

  // A second update while the first downloads.
  const first = u.update({ ...p, url: `${base}/slow` }, env, reply);
  await new Promise((r) => setTimeout(r, 100));
  t.match(await u.update(p, env, reply), { ok: false, code: 'update_in_progress' });
  release();
  t.match(await first, { ok: true, code: 'update_staged', data: { from: '1.0.0', to: '1.1.0' } });
  const req = JSON.parse(readFileSync(join(dir, 'update/request.json'), 'utf8')) as UpdateRequest;
  t.same(req.envelope, env, 'the signed command exactly as received');
  t.same(req.reply, reply);
  t.same(readFileSync(req.bundle), BUNDLE);
  t.match(await u.update(p, env, reply), { ok: false, code: 'update_in_progress' }, 'until the updater has taken the request');
});

t.test('the root side: only a recent update_software for this gateway, signed by a key in its own file, once', async (t) => {
  const dir = tempDir(t, 'hearth-sw-verify-');
  const keys = join(dir, 'update.keys');
  writeFileSync(keys, `# root's keys\n${ops.kid} ${ops.entry.publicKey}\n`);
  const request = join(dir, 'request.json');
  const params = { version: '1.1.0', url: 'https://example.net/b.tar.gz', sha256: SHA, size: 10 };
  const write = (envelope: unknown) => writeFileSync(request, JSON.stringify({ v: 1, envelope, bundle: '/x', from: '1.0.0', to: '1.1.0', requestedAt: 0, reply }));
  const now = Date.now();
  write(signedParams(ops, 'update_software', params, { ts: now, gw: 'gw-9' }));
  const ok = verifyRequest({ request, keys, gatewayId: 'gw-9', now });
  t.match(ok, { ok: true, version: '1.1.0', sha256: SHA, keyId: 'ops' });
  const applied = join(dir, 'applied');
  writeFileSync(applied, `${(ok as { digest: string }).digest}\n`);
  t.match(verifyRequest({ request, keys, gatewayId: 'gw-9', applied, now }), { ok: false, code: 'replayed' });
  t.match(verifyRequest({ request, keys, gatewayId: 'gw-1', now }), { ok: false, code: 'unauthorized' });
  t.match(verifyRequest({ request, keys: join(dir, 'none'), now }), { ok: false, code: 'no_update_keys' });
  write(signedParams(operator('other'), 'update_software', params, { ts: now }));
  t.match(verifyRequest({ request, keys, now }), { ok: false, code: 'bad_signature' });
  write(signedParams(ops, 'restart', {}, { ts: now }));
  t.match(verifyRequest({ request, keys, now }), { ok: false, code: 'invalid' }, 'another signed command is no update');
  write(signedParams(ops, 'update_software', { ...params, url: 'file:///etc/shadow' }, { ts: now }));
  t.match(verifyRequest({ request, keys, now }), { ok: false, code: 'invalid' });
  write(signedParams(ops, 'update_software', params, { ts: now - 3_700_000 }));
  t.match(verifyRequest({ request, keys, now }), { ok: false, code: 'stale' });
  writeFileSync(request, 'root:x:0:0:secret');
  const unreadable = verifyRequest({ request, keys, now });
  t.match(unreadable, { ok: false, code: 'request_unreadable' });
  t.notMatch(JSON.stringify(unreadable), /secret|root:x/, "the content never goes into the result the service can read");
});
