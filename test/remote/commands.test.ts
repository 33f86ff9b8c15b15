import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RemoteConfig } from '../../src/config/types.js';
import { HearthError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { AuditLog, type AuditEntry } from '../../src/remote/audit-log.js';
import { RemoteCommandDispatcher } from '../../src/remote/dispatcher.js';
import type { GatewayActions } from '../../src/remote/gateway-actions.js';
import { SeenStore } from '../../src/remote/seen-store.js';
import { TrustedKeys } from '../../src/signing/keys.js';
import type { PlatformCommand } from '../../src/uplink/codec.js';
import { tempDir } from '../outbox/fixtures.js';
import { operator, signedCommand, signedParams } from './signing-fixtures.js';

const NOW = 1_800_000_000_000;
const ops = operator('ops');
const config: RemoteConfig = {
  enabled: true,
  keys: [ops.entry],
  allow: ['read_device', 'silence_alarm', 'ack_alarm', 'test_output', 'commissioning_report'],
  unsigned: ['read_device'],
  delegate: [],
  replayWindowMs: 120_000,
  ratePerMinute: 60,
  rollbackAfterMs: 300_000,
};

function setup(t: { teardown(fn: () => void): void }, actions: GatewayActions = {}, cfg = config) {
  const dir = tempDir(t, 'hearth-remote-cmd-');
  const audit = new AuditLog(dir);
  const stores: SeenStore[] = [];
  const make = () => {
    const seen = new SeenStore(dir, { capacity: 64 });
    stores.push(seen);
    return new RemoteCommandDispatcher({ config: cfg, keys: new TrustedKeys(cfg.keys), gatewayId: 'gw-1', actions, audit, seen, source: 'platform:huawei-iotda', now: () => NOW, logger: silentLogger() });
  };
  const entries = () => readFileSync(join(dir, 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  return { make, entries, dir, closeAll: () => Promise.all(stores.map((s) => s.close())) };
}

const plain = (id: string, name: string, params: Record<string, unknown>, deviceId?: string): PlatformCommand => ({ id, name, params, topic: 't', ...(deviceId ? { deviceId } : {}) });

t.test('a signed command runs, is answered and audited with its key', async (t) => {
  let silenced = 0;
  const { make, entries, closeAll } = setup(t, { silenceAlarm: async (id, minutes, by) => ({ id, minutes, by, n: ++silenced }) });
  const r = await make().handle(signedCommand(ops, 'c1', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW - 1000 }));
  t.match(r, { ok: true, code: 'ok', data: { id: 'ev-1', minutes: 10, by: 'platform:huawei-iotda#c1 key ops' } });
  t.match(entries()[0], { at: NOW, by: 'platform:huawei-iotda key ops', command: 'silence_alarm', id: 'c1', outcome: 'done', code: 'ok', params: { signed: { cmd: 'silence_alarm', params: { eventId: 'ev-1' } } } });
  t.notOk('sig' in entries()[0]!.params, 'the signature itself is not kept');
  await closeAll();
});

t.test('unsigned, wrongly signed, foreign and tampered commands are refused; an allowed unsigned read runs', async (t) => {
  let silenced = 0;
  const { make, entries, closeAll } = setup(t, { silenceAlarm: async () => ({ n: ++silenced }), readDevice: async (id) => ({ device: id }) });
  const d = make();
  const mallory = operator('ops'); // same key id, different key
  t.match(await d.handle(plain('u1', 'silence_alarm', { ts: NOW, eventId: 'ev-1', minutes: 10 })), { ok: false, code: 'unsigned' });
  t.match(await d.handle(signedCommand(mallory, 'u2', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW })), { ok: false, code: 'bad_signature' });
  t.match(await d.handle(signedCommand(operator('other'), 'u3', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW })), { ok: false, code: 'bad_signature' }, 'an unknown key id');
  t.match(await d.handle(signedCommand(ops, 'u4', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW, gw: 'gw-2' })), { ok: false, code: 'unauthorized' }, 'signed for another gateway');
  const good = signedParams(ops, 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW });
  const body = JSON.parse(Buffer.from(good.signed, 'base64url').toString()) as Record<string, unknown>;
  const tampered = Buffer.from(JSON.stringify({ ...body, params: { eventId: 'ev-1', minutes: 1440 } })).toString('base64url');
  t.match(await d.handle(plain('u5', 'silence_alarm', { signed: tampered, sig: good.sig })), { ok: false, code: 'bad_signature' }, 'the body changed after signing');
  t.match(await d.handle(plain('u6', 'ack_alarm', good)), { ok: false, code: 'invalid' }, 'sent under another command name');
  t.match(await d.handle(plain('u7', 'read_device', {}, 'smoke-1')), { ok: true, data: { device: 'smoke-1' } }, 'read_device is in remote.unsigned');
  t.equal(silenced, 0);
  t.same(entries().map((e) => e.code), ['unsigned', 'bad_signature', 'bad_signature', 'unauthorized', 'bad_signature', 'invalid', 'ok']);
  await closeAll();
});

t.test('replays under new request ids, after a restart, and commands outside the window are refused', async (t) => {
  let silenced = 0;
  const { make, closeAll } = setup(t, { silenceAlarm: async () => ({ n: ++silenced }) });
  const d = make();
  const params = signedParams(ops, 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW });
  t.equal((await d.handle(plain('r1', 'silence_alarm', params))).ok, true);
  t.match(await d.handle(plain('r2', 'silence_alarm', params)), { code: 'replayed' }, 'same payload, new request id');
  t.match(await d.handle(plain('r3', 'signed', params)), { code: 'replayed' }, 'same payload under the generic name');
  t.match(await make().handle(plain('r4', 'silence_alarm', params)), { code: 'replayed' }, 'after a restart (the store is on disk)');
  t.match(await d.handle(signedCommand(ops, 'r5', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW + 299_000 })), { code: 'stale' }, '299 s in the future');
  t.match(await d.handle(signedCommand(ops, 'r6', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }, { ts: NOW - 121_000 })), { code: 'stale' }, '121 s old');
  t.equal((await d.handle(signedCommand(ops, 'r7', 'signed', { eventId: 'ev-1', minutes: 5 }, { ts: NOW + 30_000 }))).ok, false, 'generic name needs the real name signed');
  t.equal(silenced, 1, 'only the first ran');
  await closeAll();
});

t.test('the generic `signed` command carries any signed command', async (t) => {
  let ran = '';
  const { make, closeAll } = setup(t, { commissioningReport: async () => ({ report: (ran = 'report') }) });
  const p = signedParams(ops, 'commissioning_report', {}, { ts: NOW });
  t.match(await make().handle(plain('g1', 'signed', p)), { ok: true, code: 'ok' });
  t.equal(ran, 'report');
  await closeAll();
});

t.test('not allowed, unknown, out-of-range and missing parts are refused with their codes; disabled refuses all', async (t) => {
  const { make, closeAll } = setup(t, { acknowledgeAlarm: async () => { throw new HearthError('API_NOT_FOUND', 'no active alarm ev-9'); } });
  const d = make();
  const s = (id: string, name: string, params: Record<string, unknown>, device?: string) => d.handle(signedCommand(ops, id, name, params, { ts: NOW, ...(device ? { device } : {}) }));
  t.match(await s('a1', 'restart', {}), { code: 'unauthorized' }, 'not in remote.allow');
  t.match(await s('a2', 'format_disk', {}), { code: 'unknown_command' });
  const range = await s('a3', 'silence_alarm', { eventId: 'ev-1', minutes: 100_000 });
  t.equal(range.code, 'invalid');
  t.match(range.message, /params\.minutes: must be <= 1440/);
  t.match(await s('a4', 'test_output', { outputId: 'siren', durationMs: 1000 }), { code: 'not_available' });
  t.match(await s('a5', 'ack_alarm', { eventId: 'ev-9' }), { code: 'api_not_found' });
  t.match(await d.handle({ ...signedCommand(ops, 'a6', 'read_device', {}, { ts: NOW }), deviceId: 'unknown:prod_x' }), { code: 'unauthorized' }, 'a device of another gateway');
  const off = setup(t, {}, { ...config, enabled: false });
  t.match(await off.make().handle(signedCommand(ops, 'a7', 'read_device', {}, { ts: NOW })), { code: 'disabled' });
  await closeAll();
  await off.closeAll();
});
