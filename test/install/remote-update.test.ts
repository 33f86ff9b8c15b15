import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { violations } from '../contract/contract.js';
import { waitFor } from '../helpers/net.js';
import { operator, signedParams } from '../remote/signing-fixtures.js';
import { buildBundle, repack, runOffline } from './bundles.js';
import { buildSource, remove, runScript, scratchRoot } from './scratch.js';
import { bundleFacts, daemonSystemctl, GW, Platform, readLink, serveDir, writeSiteConfig } from './update-rig.js';

/**
 * A remote software update end to end (docs/remote-management.md, "Software update"): release
 * 1.0.0 installed from its bundle into a scratch root and running as a real daemon on a real
 * Mosquitto; the platform sends a signed update_software over the broker; the daemon downloads
 * from a local HTTP server, verifies and stages it; the root updater (`hearth-release apply`, as
 * hearth-update.service runs it) verifies again, installs, restarts and waits for READY and the
 * reconnect, or rolls back. The outcome comes back over the broker and into the audit log.
 */
t.setTimeout(600_000);
t.comment('timeout=600000');

const source = buildSource();
const out = mkdtempSync(join(tmpdir(), 'hearth-update-bundles-'));
const served = join(out, 'served');
mkdirSync(served);
t.teardown(() => (remove(source), remove(out)));
const ops = operator('ops');
const a = buildBundle(source, out, '1.0.0');
const b = repack(a, served, '1.1.0', () => undefined);
// Starts and runs, but never says it reached the platform: stands in for a release whose uplink cannot connect.
const c = repack(a, served, '1.2.0', (dir) => {
  const f = join(dir, 'dist/src/remote/update/update-files.js');
  writeFileSync(f, readFileSync(f, 'utf8').replace("'connected.json'", "'never-written.json'"));
});
const ms = (start: bigint): number => Number((process.hrtime.bigint() - start) / 1_000_000n);

function apply(root: string, systemctl: string, deadline: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/bash',
      [join(root, 'opt/hearth/current/scripts/hearth-release'), 'apply', join(root, 'var/lib/hearth/update/request.json'), '--root', root, '--node', process.execPath, '--deadline', String(deadline)],
      { timeout: 300_000, env: { ...process.env, HEARTH_SYSTEMCTL: systemctl, HEARTH_SETTLE_S: '1' } },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

t.test('signed update over the broker: refused during a fire alarm and for a tampered bundle; installed; a release that does not reconnect rolled back', async (t) => {
  const root = scratchRoot();
  const platform = await Platform.start();
  const http = await serveDir(served);
  const systemctl = daemonSystemctl(root);
  t.teardown(async () => {
    await runScript(systemctl, ['stop']);
    if (!t.passing()) t.comment(`daemon log:\n${readFileSync(join(root, 'daemon.log'), 'utf8').split('\n').slice(-40).join('\n')}`);
    await http.close();
    await platform.stop();
    remove(root);
  });
  const inst = await runOffline(join(source, 'scripts/install.sh'), ['--bundle', a, '--root', root, '--gateway-id', GW, '--platform-url', 'mqtt://127.0.0.1:1', '--update-key', `${ops.kid}=${ops.entry.publicKey}`]);
  t.equal(inst.code, 0, inst.stderr);
  t.match(readFileSync(join(root, 'etc/hearth-keys/update.keys'), 'utf8'), new RegExp(`^ops ${ops.entry.publicKey.replace(/[+/]/g, '\\$&')}$`, 'm'), "root's copy of the update key");
  const units = ['hearth-update.path', 'hearth-update.service'].map((u) => join(root, 'etc/systemd/system', u));
  t.equal(execFileSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(), '', 'systemd-analyze verify accepts the installed update units');
  t.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/hearth-update.path')), '/etc/systemd/system/hearth-update.path', 'the path unit enabled');
  writeSiteConfig(root, ops, platform.broker.url, platform.modbus.port);
  const stateDir = join(root, 'var/lib/hearth');
  const updDir = join(stateDir, 'update');
  await runScript(systemctl, ['restart']);

  const bFacts = bundleFacts(b);
  const good = { version: '1.1.0', url: http.url(b), ...bFacts };
  // Refused while a fire alarm is active. Until the desk has the alarm, the probe (a URL that does not exist) fails to download.
  platform.fireAlarm(true);
  let fire: Record<string, unknown> | undefined;
  await waitFor(async () => {
    // Sent before the gateway subscribed: no answer; sent again.
    const answer = await platform.answer(await platform.update(ops, { ...good, url: http.url('absent.tar.gz') }), undefined, 3000).catch(() => undefined);
    if (answer?.code === 'fire_alarm_active') fire = answer;
    return fire !== undefined;
  }, 60_000, 200);
  t.match(fire, { success: false, code: 'fire_alarm_active', from: '1.0.0', to: '1.1.0' }, 'refused during a fire alarm');
  platform.fireAlarm(false);

  // A bundle whose SHA-256 is not the signed one: refused by the gateway, nothing staged.
  let tampered: Record<string, unknown> | undefined;
  await waitFor(async () => {
    const answer = await platform.answer(await platform.update(ops, { ...good, sha256: 'f'.repeat(64) }), undefined, 10_000);
    if (answer.code !== 'fire_alarm_active') tampered = answer;
    return tampered !== undefined;
  }, 30_000, 500);
  t.match(tampered, { success: false, code: 'sha256_mismatch' });
  t.notOk(existsSync(join(updDir, 'request.json')), 'nothing handed to the updater');
  t.match(await platform.answer(await platform.update(ops, { ...good, version: '1.0.0' })), { code: 'same_version' });

  // The update itself.
  const started = process.hrtime.bigint();
  const id = await platform.update(ops, good);
  t.match(await platform.answer(id, 'update_staged'), { success: true, from: '1.0.0', to: '1.1.0' });
  t.ok(existsSync(join(updDir, 'request.json')), 'request left for the root updater');
  const appliedRequest = readFileSync(join(updDir, 'request.json'));
  const done = await apply(root, systemctl, 60);
  t.equal(done.code, 0, done.stdout + done.stderr);
  t.equal(readLink(root, 'current'), 'releases/1.1.0', 'new release current');
  t.equal(readLink(root, 'previous'), 'releases/1.0.0');
  t.notOk(existsSync(join(updDir, 'bundle.tar.gz')), 'the download removed once applied');
  t.comment(`remote update, command sent -> new release current, running and reconnected: ${ms(started)} ms`);
  t.match(await platform.answer(id, 'update_installed'), { success: true, outcome: 'installed', from: '1.0.0', to: '1.1.0', running: '1.1.0' }, 'the new release reports the outcome to the same request');
  const audit = () => readFileSync(join(stateDir, 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  await waitFor(() => audit().some((e) => e.code === 'update_installed'), 10_000, 100);
  t.match(audit().find((e) => e.code === 'update_installed'), { command: 'update_software', id, outcome: 'done', by: 'updater', params: { from: '1.0.0', to: '1.1.0' } });
  t.ok(audit().some((e) => e.command === 'update_software' && e.code === 'fire_alarm_active' && e.outcome === 'rejected'), 'the refusals are audited too');

  // Requests written by hand into the service's folder: the root side verifies for itself.
  const cFacts = bundleFacts(c);
  const handWritten = async (envelope: unknown, bundle: string): Promise<string> => {
    copyFileSync(bundle, join(updDir, 'bundle.tar.gz'));
    writeFileSync(join(updDir, 'request.json'), JSON.stringify({ v: 1, envelope, bundle: join(updDir, 'bundle.tar.gz'), from: '1.1.0', to: '1.2.0', requestedAt: Date.now(), reply: { id: 'x', name: 'update_software', topic: 't' } }));
    const r = await apply(root, systemctl, 10);
    t.equal(r.code, 1, r.stdout);
    t.equal(readLink(root, 'current'), 'releases/1.1.0', 'current untouched');
    // From the updater's own words: the running gateway picks result.json up within seconds.
    return /update refused \(([a-z0-9_]+)\)/.exec(r.stdout)?.[1] ?? r.stdout;
  };
  const cParams = { version: '1.2.0', url: http.url(c), ...cFacts };
  t.equal(await handWritten({}, c), 'unsigned', 'unsigned request refused');
  t.equal(await handWritten((JSON.parse(appliedRequest.toString()) as { envelope: unknown }).envelope, b), 'replayed', 'the applied request again: refused');
  t.equal(await handWritten(signedParams(operator('ops'), 'update_software', cParams, { gw: GW, ts: Date.now() }), c), 'bad_signature', 'same key id, another key: refused');
  // The signed bundle with one byte changed after the gateway checked it (same size).
  const flipped = join(out, 'flipped.tar.gz');
  const bytes = readFileSync(c);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
  writeFileSync(flipped, bytes);
  t.equal(await handWritten(signedParams(ops, 'update_software', cParams, { gw: GW, ts: Date.now() }), flipped), 'sha256_mismatch', 'a valid signature, the bundle changed afterwards: refused');
  t.equal(await handWritten(signedParams(ops, 'update_software', cParams, { gw: GW, ts: Date.now() - 7_200_000 }), c), 'stale', 'a signature two hours old: refused');

  // A release that starts but never reaches the platform: rolled back after the deadline.
  const rbStart = process.hrtime.bigint();
  const id2 = await platform.update(ops, cParams);
  t.match(await platform.answer(id2, 'update_staged'), { success: true });
  const rb = await apply(root, systemctl, 8);
  t.equal(rb.code, 1);
  t.match(rb.stdout, /did not become ready and reach the platform within 8 s \(no_reconnect\): rolling back to 1\.1\.0/);
  t.equal(readLink(root, 'current'), 'releases/1.1.0', 'the previous release is current again');
  t.equal(readLink(root, 'previous'), 'releases/1.2.0', 'the failed one kept for inspection');
  t.comment(`automatic rollback after an update that did not reconnect (8 s deadline): ${ms(rbStart)} ms`);
  t.match(await platform.answer(id2, 'update_rolled_back'), { success: false, outcome: 'rolled_back', reason: 'no_reconnect', from: '1.1.0', to: '1.2.0', running: '1.1.0' }, 'the old release reports the rollback');
  for (const [rid, body] of platform.responses.map((r) => [r.id, r.body] as const)) {
    t.same(violations('thingsboard', { topic: `v1/devices/me/rpc/response/${rid}`, payload: JSON.stringify(body), qos: 1, retain: false }), [], `answer ${rid} ${String(body.code)} in the published schema`);
  }
  t.same(readFileSync(join(root, 'systemctl.log'), 'utf8').trim().split('\n'), ['restart releases/1.0.0', 'restart releases/1.1.0', 'restart releases/1.2.0', 'restart releases/1.1.0']);
});
