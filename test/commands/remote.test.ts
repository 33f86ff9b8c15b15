import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RemoteConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { AuditLog, type AuditEntry } from '../../src/remote/audit-log.js';
import { commandAuditEntry } from '../../src/remote/command-audit.js';
import { RemoteCommandDispatcher } from '../../src/remote/dispatcher.js';
import { SeenStore } from '../../src/remote/seen-store.js';
import { TrustedKeys } from '../../src/signing/keys.js';
import { tempDir } from '../outbox/fixtures.js';
import { operator, signedCommand } from '../remote/signing-fixtures.js';
import { simulatedBreaker } from './field.js';

const NOW = 1_800_000_000_000;
const ops = operator('ops');

/**
 * `device_command` through the real dispatcher (signatures, replay guard, allow list) onto the
 * gateway's device commands over a simulated line with the demo breaker's mechanics: the same
 * rules as in the console, a safety-relevant close only with `confirm: true` inside the signed body.
 */
t.test('remote device commands: signed, allowed, confirmed where safety asks it, audited', async (t) => {
  const dir = tempDir(t, 'hearth-remote-device-');
  const audit = new AuditLog(dir);
  const { commands } = await simulatedBreaker(t, (r) => audit.append(commandAuditEntry(r)), () => NOW);
  const make = (allow: RemoteConfig['allow']) => {
    const config: RemoteConfig = { enabled: true, keys: [ops.entry], allow, unsigned: [], delegate: [], replayWindowMs: 120_000, ratePerMinute: 60, rollbackAfterMs: 300_000 };
    const seen = new SeenStore(dir, { capacity: 64 });
    t.teardown(() => seen.close());
    return new RemoteCommandDispatcher({
      config,
      keys: new TrustedKeys(config.keys),
      gatewayId: 'gw-1',
      actions: { deviceCommand: async (device, command, params, confirmed, by) => ({ ...(await commands.run(device, command, params, { via: 'remote', by, confirmed })) }) },
      audit,
      seen,
      source: 'platform:native',
      now: () => NOW,
      logger: silentLogger(),
    });
  };
  const d = make(['device_command']);
  const send = (id: string, params: Record<string, unknown>) => d.handle(signedCommand(ops, id, 'device_command', params, { ts: NOW }));

  t.match(await send('r1', { deviceId: 'breaker-1', command: 'trip' }), { ok: true, code: 'ok', data: { result: 'confirmed', readBack: { value: false } } }, 'trip');
  t.match(await send('r2', { deviceId: 'breaker-1', command: 'close' }), { ok: false, code: 'command_needs_confirmation' }, 'close without confirm');
  t.match(await send('r3', { deviceId: 'breaker-1', command: 'close', confirm: true }), { ok: true, data: { result: 'confirmed', readBack: { value: true } } }, 'close, confirmed by the signer');
  t.match(await send('r4', { deviceId: 'breaker-1', command: 'set_leakage_setting', params: { milliamps: 500 } }), { ok: false, code: 'command_params' });
  t.match(await send('r5', { deviceId: 'breaker-9', command: 'trip' }), { ok: false, code: 'command_not_found' });
  t.match(await d.handle({ id: 'u1', name: 'device_command', params: { ts: NOW, deviceId: 'breaker-1', command: 'trip' }, topic: 't' }), { ok: false, code: 'unsigned' });
  t.match(await make(['read_device']).handle(signedCommand(ops, 'r6', 'device_command', { deviceId: 'breaker-1', command: 'trip' }, { ts: NOW })), { ok: false, code: 'unauthorized' }, 'not in remote.allow');

  const entries = readFileSync(join(dir, 'remote-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  const runs = entries.filter((e) => e.command.startsWith('device '));
  t.same(runs.map((e) => [e.command, e.code, e.via, e.params.confirmed ?? false]), [
    ['device trip', 'CONFIRMED', 'remote', false],
    ['device close', 'CONFIRMED', 'remote', true],
  ], 'each run on the device audited with its outcome and who confirmed');
  t.ok(runs.every((e) => /^platform:native#r\d key ops$/.test(e.by)), 'by the signed request and its key');
});
