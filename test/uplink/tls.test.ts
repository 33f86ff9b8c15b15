import { join } from 'node:path';
import t from 'tap';
import type { TlsConfig } from '../../src/config/types.js';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { makeCerts } from '../helpers/certs.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fireAlarm, tempDir } from '../outbox/fixtures.js';
import { Subscriber, platform } from './harness.js';

const certs = makeCerts();
t.teardown(() => certs.cleanup());
const tlsFiles = { caFile: certs.caCert, certFile: certs.serverCert, keyFile: certs.serverKey };
// One broker verifies only itself to clients; the other also demands a client certificate.
const serverAuth = await Mosquitto.start({ tls: { ...tlsFiles, requireCertificate: false } });
t.teardown(() => serverAuth.close());
const mutual = await Mosquitto.start({ tls: { ...tlsFiles, requireCertificate: true } });
t.teardown(() => mutual.close());

/** An outbox holding one fire alarm, and a session started towards the TLS listener. */
async function deliverOne(t: { teardown(fn: () => unknown): void }, broker: Mosquitto, tls: TlsConfig): Promise<UplinkSession> {
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const session = new UplinkSession({ platform: platform(broker.tlsUrl, { tls }), gatewayId: GATEWAY, outbox });
  t.teardown(() => session.stop());
  outbox.appendEvent(fireAlarm(1));
  session.start();
  return session;
}

t.test('TLS: verifies the broker with the configured CA', async (t) => {
  const sub = await Subscriber.connect(serverAuth.url);
  t.teardown(() => sub.close());
  const session = await deliverOne(t, serverAuth, { ca: certs.caCert, servername: 'localhost' });
  await sub.waitFor((s) => s.on('/events/alarm').length === 1);
  t.equal(session.state().connected, true);
});

t.test('mutual TLS: connects with the client certificate', async (t) => {
  const sub = await Subscriber.connect(mutual.url);
  t.teardown(() => sub.close());
  const session = await deliverOne(t, mutual, { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
  await sub.waitFor((s) => s.on('/events/alarm').length === 1);
  t.equal(session.state().connected, true);
});

t.test('mutual TLS: refused without a client certificate', async (t) => {
  const session = await deliverOne(t, mutual, { ca: certs.caCert });
  await waitFor(() => session.state().reconnectAttempts >= 2);
  t.equal(session.state().connected, false);
  t.equal(session.state().connects, 0);
});

t.test('a broker certificate from another CA is refused', async (t) => {
  const session = await deliverOne(t, serverAuth, { ca: certs.otherCaCert });
  await waitFor(() => session.state().reconnectAttempts >= 2);
  const st = session.state();
  t.equal(st.connects, 0, 'never connected');
  t.match(st.lastError, /certificate|verify/i, `refused for the certificate: ${st.lastError}`);
});
