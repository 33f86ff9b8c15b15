import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openEnvelope } from '../../src/signing/envelope.js';
import { TrustedKeys } from '../../src/signing/keys.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { tempDir } from '../outbox/fixtures.js';

t.test('hearth keygen makes a key pair; hearth sign signs a command the gateway accepts', async (t) => {
  const dir = tempDir(t, 'hearth-sign-');
  const pem = join(dir, 'ops.pem');
  const made = await runHearth(['keygen', '--out', pem, '--id', 'ops-2026']);
  t.equal(made.code, 0, made.stderr);
  t.equal(statSync(pem).mode & 0o777, 0o600, 'private key 0600');
  const m = /publicKey: (\S+) \}/.exec(made.stdout);
  t.ok(m, `prints the config entry: ${made.stdout}`);
  t.equal((await runHearth(['keygen', '--out', pem])).code, 64, 'never overwrites a key');

  const signed = await runHearth(['sign', '--key', pem, '--kid', 'ops-2026', '--gateway', 'gw-9', '--command', 'silence_alarm', '--params', '{"eventId":"e1","minutes":15}']);
  t.equal(signed.code, 0, signed.stderr);
  const envelope = JSON.parse(signed.stdout) as { signed: string; sig: string };
  const opened = openEnvelope(envelope, new TrustedKeys([{ id: 'ops-2026', publicKey: m![1]! }]));
  t.match(opened, { ok: true, keyId: 'ops-2026', body: { v: 1, gw: 'gw-9', cmd: 'silence_alarm', params: { eventId: 'e1', minutes: 15 } } });
  t.ok(opened.ok && Math.abs((opened.body.ts as number) - Date.now()) < 60_000, 'stamped now');
  t.notOk(readFileSync(pem, 'utf8').includes(m![1]!), 'the file holds the private key, the config the public one');
});
