import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { readToken } from '../../src/api/token.js';
import { makeCerts } from '../helpers/certs.js';
import { freePort } from '../helpers/net.js';

/** The daemon's api component from config: HTTPS with the gateway's own certificate, Secure cookie. */
const certs = makeCerts();
t.teardown(() => certs.cleanup());
const dir = mkdtempSync(join(tmpdir(), 'hearth-https-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const [apiPort, brokerPort] = [await freePort(), await freePort()];
const file = join(dir, 'hearth.yaml');
writeFileSync(
  file,
  `gateway: { id: gw-tls, stateDir: ${dir}/state, clockSync: assume-synced }
api: { host: 127.0.0.1, port: ${apiPort}, tls: { cert: ${certs.serverCert}, key: ${certs.serverKey} } }
log: { level: warn }
demo: { brokerPort: ${brokerPort} }
`,
);
const { config, profiles } = await loadConfigWithProfiles(file);
const daemon = new Daemon({ config, profiles, logger: silentLogger() });
await daemon.start();
t.teardown(() => daemon.stop());
const ca = readFileSync(certs.caCert);

function call(method: string, path: string, body?: object, extra: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: apiPort, path, method, ca, servername: 'localhost', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...extra } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

t.test('HTTPS with the configured certificate; the session cookie is Secure', async (t) => {
  t.equal(daemon.apiPort(), apiPort);
  t.equal((await call('GET', '/healthz')).status, 200);
  const login = await call('POST', '/api/login', { token: readToken(config.gateway.stateDir)! });
  t.equal(login.status, 200);
  const cookie = String(login.headers['set-cookie']);
  t.match(cookie, /hearth_session=/);
  t.match(cookie, /Secure/);
  t.match(cookie, /HttpOnly/);
  t.equal((await call('GET', '/api/status')).status, 401);
});

t.test('under HTTPS the console origin is https://host:port: an http Origin is another site', async (t) => {
  const login = await call('POST', '/api/login', { token: readToken(config.gateway.stateDir)! });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const https = await call('POST', '/api/test-alarm', {}, { cookie, origin: `https://127.0.0.1:${apiPort}` });
  t.notOk(https.status === 401 || https.status === 403, `same origin accepted (${https.status})`);
  const http = await call('POST', '/api/test-alarm', {}, { cookie, origin: `http://127.0.0.1:${apiPort}` });
  t.equal(http.status, 403);
  t.equal(JSON.parse(http.body).code, 'API_CROSS_ORIGIN');
});

t.test('a certificate from another CA is not trusted (the client sees the real server cert)', async (t) => {
  await t.rejects(
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: apiPort, path: '/healthz', ca: readFileSync(certs.otherCaCert), servername: 'localhost' }, resolve);
      req.on('error', reject);
      req.end();
    }),
  );
});
