import t from 'tap';
import { describeRemote } from '../../src/cli/plan/plan-remote.js';
import { parseConfig } from '../../src/config/load.js';
import { operator } from '../remote/signing-fixtures.js';

const base = (extra: string, platform = "{ url: 'mqtts://broker.example:8883' }") =>
  parseConfig(`gateway: { id: gw-1 }\nplatform: ${platform}\n${extra}`, '/etc/hearth/hearth.yaml', { checkFiles: false });

t.test('hearth check says what runs signed, unsigned and what stays local; notes what will be refused', async (t) => {
  const op = operator('ops-2026');
  const on = describeRemote(base(`remote: { enabled: true, keys: [{ id: ops-2026, publicKey: ${op.entry.publicKey} }], allow: [read_device, silence_alarm], unsigned: [read_device] }`)).join('\n');
  t.match(on, /remote {3}on: 1 signing key\(s\) \(ops-2026\), 60 commands\/min, window ±120 s/);
  t.match(on, /signed {3}silence_alarm\n/);
  t.match(on, /unsigned read_device \(read-only\)/);
  t.match(on, /local {4}gateway, remote, outbox\.path, actions cannot be changed remotely/);
  t.notMatch(on, /note/);
  const keyless = describeRemote(base('remote: { enabled: true, allow: [silence_alarm, restart] }')).join('\n');
  t.match(keyless, /no remote\.keys: silence_alarm, restart will be refused until a key is added/);
  t.match(keyless, /native receipts must be signed/);
  t.same(describeRemote(base('', '{ url: "mqtts://b:8883", unsignedReceipts: true }')), ['remote   off']);
});
