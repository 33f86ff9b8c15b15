import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { makeCerts } from '../helpers/certs.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { tempDir } from '../outbox/fixtures.js';
import { platform } from '../uplink/harness.js';

const certs = makeCerts();
t.teardown(() => certs.cleanup());
const good = await Mosquitto.start({ tls: { caFile: certs.caCert, certFile: certs.serverCert, keyFile: certs.serverKey, requireCertificate: false } });
t.teardown(() => good.close());

function refused(t: { teardown(fn: () => unknown): void }, url: string, tls: { ca?: string; servername?: string }): UplinkSession {
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const s = new UplinkSession({ platform: platform(url, { tls }), gatewayId: 'gw-test', outbox });
  t.teardown(() => s.stop());
  s.start();
  return s;
}

t.test('the right CA and name connect (control)', async (t) => {
  const s = refused(t, good.tlsUrl, { ca: certs.caCert });
  await waitFor(() => s.state().connects === 1, 15_000);
  t.pass();
});

t.test('a wrong CA is refused', async (t) => {
  const s = refused(t, good.tlsUrl, { ca: certs.otherCaCert });
  await waitFor(() => s.state().reconnectAttempts >= 2, 15_000);
  t.equal(s.state().connects, 0);
  t.match(s.state().lastError, /certificate|verify|issuer/i);
});

t.test('a wrong host name is refused', async (t) => {
  const s = refused(t, good.tlsUrl, { ca: certs.caCert, servername: 'platform.other.example' });
  await waitFor(() => s.state().reconnectAttempts >= 2, 15_000);
  t.equal(s.state().connects, 0);
  t.match(s.state().lastError, /altname|host|name/i);
});

t.test('a broker that only speaks TLS 1.1 is refused', async (t) => {
  // Mosquitto's tls_version sets the lowest version it accepts, not the highest, so it cannot be made
  // to offer TLS 1.1 only. A TLS terminator capped at TLS 1.1 (SECLEVEL=0: OpenSSL 3 forbids 1.1 at its
  // default level) sits in front of the real Mosquitto's plain listener instead.
  const front = createServer(
    { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' },
    (tlsSocket) => {
      const plain = connect(good.port, '127.0.0.1');
      tlsSocket.pipe(plain).pipe(tlsSocket);
      const end = () => { tlsSocket.destroy(); plain.destroy(); };
      tlsSocket.on('error', end);
      plain.on('error', end);
    },
  );
  front.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise((r) => front.close(r)));
  const port = (front.address() as AddressInfo).port;
  // Independent check that the front really negotiates TLS 1.1, so the refusal below is the client's.
  const probe = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0', '-CAfile', certs.caCert], { input: '', encoding: 'utf8', timeout: 10_000 });
  const offers11 = /Protocol\s*:\s*TLSv1\.1/.test(probe.stdout);
  // Where this machine's OpenSSL cannot negotiate TLS 1.1 on either side even at SECLEVEL=0, the
  // refusal below is not only the client's minVersion; say so rather than claim more.
  t.comment(offers11 ? 'server negotiates TLS 1.1 with openssl s_client' : `server could not negotiate TLS 1.1 on this machine: ${probe.stdout.split('\n').find((l) => /Protocol|alert|error/i.test(l)) ?? probe.stderr.split('\n')[0]}`);
  const s = refused(t, `mqtts://127.0.0.1:${port}`, { ca: certs.caCert });
  await waitFor(() => s.state().lastError !== null && s.state().reconnectAttempts >= 1, 30_000);
  t.equal(s.state().connects, 0, 'never connected');
  t.match(s.state().lastError, /protocol|version|alert|handshake|ssl|tls/i, String(s.state().lastError));
});
