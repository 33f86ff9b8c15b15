import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RemoteConfig } from '../../src/config/types.js';
import { HearthError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { AuditLog, type AuditEntry } from '../../src/remote/audit-log.js';
import { RemoteCommandDispatcher } from '../../src/remote/dispatcher.js';
import type { GatewayActions } from '../../src/remote/gateway-actions.js';
import { ReplayGuard } from '../../src/remote/replay-guard.js';
import type { PlatformCommand } from '../../src/uplink/codec.js';
import { tempDir } from '../outbox/fixtures.js';

const NOW = 1_800_000_000_000;
const config: RemoteConfig = { enabled: true, allow: ['read_device', 'silence_alarm', 'ack_alarm', 'test_output'], replayWindowMs: 300_000, rollbackAfterMs: 300_000 };

function setup(t: { teardown(fn: () => void): void }, actions: GatewayActions = {}, cfg = config) {
  const dir = tempDir(t, 'hearth-remote-cmd-');
  const audit = new AuditLog(dir);
  const make = () => new RemoteCommandDispatcher({ config: cfg, actions, audit, replay: new ReplayGuard(dir, cfg.replayWindowMs), source: 'platform:huawei-iotda', now: () => NOW, logger: silentLogger() });
  const entries = () => readFileSync(join(dir, 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  return { make, entries };
}

const cmd = (id: string, name: string, params: Record<string, unknown>, deviceId?: string): PlatformCommand => ({ id, name, params, topic: 't', ...(deviceId ? { deviceId } : {}) });

t.test('a valid command runs, is answered and audited', async (t) => {
  const { make, entries } = setup(t, { readDevice: async (id) => ({ device: id, smoke: 0.01 }) });
  const r = await make().handle(cmd('c1', 'read_device', { ts: NOW - 1000 }, 'smoke-1'));
  t.same(r, { ok: true, code: 'ok', data: { device: 'smoke-1', smoke: 0.01 } });
  t.match(entries()[0], { at: NOW, by: 'platform:huawei-iotda', command: 'read_device', id: 'c1', device: 'smoke-1', outcome: 'done', code: 'ok' });
});

t.test('replayed, stale, unauthorized and out-of-range commands are rejected and audited', async (t) => {
  let silenced = 0;
  const { make, entries } = setup(t, { silenceAlarm: async () => ({ silenced: ++silenced }), readDevice: async () => ({}) });
  const d = make();
  t.equal((await d.handle(cmd('c1', 'silence_alarm', { ts: NOW, eventId: 'ev-1', minutes: 10 }))).ok, true);
  t.equal((await d.handle(cmd('c1', 'silence_alarm', { ts: NOW, eventId: 'ev-1', minutes: 10 }))).code, 'replayed');
  // The replay is caught after a restart too (seen ids are kept on disk).
  t.equal((await make().handle(cmd('c1', 'silence_alarm', { ts: NOW, eventId: 'ev-1', minutes: 10 }))).code, 'replayed');
  t.equal((await d.handle(cmd('c2', 'silence_alarm', { ts: NOW - 3_600_000, eventId: 'ev-1', minutes: 10 }))).code, 'stale');
  t.equal((await d.handle(cmd('c3', 'silence_alarm', { eventId: 'ev-1', minutes: 10 }))).code, 'invalid', 'no timestamp');
  t.equal((await d.handle(cmd('c4', 'restart', { ts: NOW }))).code, 'unauthorized', 'not in remote.allow');
  t.equal((await d.handle(cmd('c5', 'read_device', { ts: NOW }, 'unknown:prod_x'))).code, 'unauthorized', 'a device of another gateway');
  const range = await d.handle(cmd('c6', 'silence_alarm', { ts: NOW, eventId: 'ev-1', minutes: 100_000 }));
  t.equal(range.code, 'invalid');
  t.match(range.message, /params\.minutes: must be <= 1440/);
  t.equal((await d.handle(cmd('c7', 'silence_alarm', { ts: NOW, eventId: 'ev-1', minutes: 5, extra: 1 }))).code, 'invalid');
  t.equal((await d.handle(cmd('c8', 'format_disk', { ts: NOW }))).code, 'unknown_command');
  t.equal(silenced, 1, 'only the first command ran');
  const audit = entries();
  t.same(audit.map((e) => [e.id, e.outcome, e.code]), [
    ['c1', 'done', 'ok'],
    ['c1', 'rejected', 'replayed'],
    ['c1', 'rejected', 'replayed'],
    ['c2', 'rejected', 'stale'],
    ['c3', 'rejected', 'invalid'],
    ['c4', 'rejected', 'unauthorized'],
    ['c5', 'rejected', 'unauthorized'],
    ['c6', 'rejected', 'invalid'],
    ['c7', 'rejected', 'invalid'],
    ['c8', 'rejected', 'unknown_command'],
  ]);
});

t.test('missing parts answer not_available; action errors carry their code; disabled rejects everything', async (t) => {
  const { make } = setup(t, { acknowledgeAlarm: async () => { throw new HearthError('API_NOT_FOUND', 'no active alarm ev-9'); } });
  const d = make();
  t.match(await d.handle(cmd('a1', 'test_output', { ts: NOW, outputId: 'siren', durationMs: 1000 })), { ok: false, code: 'not_available' });
  t.match(await d.handle(cmd('a2', 'ack_alarm', { ts: NOW, eventId: 'ev-9' })), { ok: false, code: 'api_not_found' });
  const off = setup(t, {}, { ...config, enabled: false });
  t.match(await off.make().handle(cmd('a3', 'read_device', { ts: NOW })), { ok: false, code: 'disabled' });
});
