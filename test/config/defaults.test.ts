import t from 'tap';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { BASE } from './helpers.js';

t.test('defaults are filled in', async (t) => {
  const c = parseConfig(BASE, '/etc/hearth/hearth.yaml');
  t.same(c.gateway, { id: 'gw-1', location: {}, stateDir: '/var/lib/hearth', clockSync: 'auto' });
  t.same(c.buses[0], { id: 'line1', type: 'modbus-rtu', port: '/dev/ttyUSB0', timeoutMs: 300, retries: 1, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 });
  const d = c.devices[0]!;
  t.equal(d.pollIntervalMs, 1000);
  t.same(d.offline, { afterPolls: 3, afterMs: 30000 });
  t.same(d.backoff, { maxMs: 60000 });
  t.equal(d.enabled, true);
  t.same(d.thresholds, {});
  t.same(d.reporting, {});
  t.same(c.outbox, {
    path: '/var/lib/hearth/outbox.db',
    quotaMb: 512,
    flushIntervalMs: 100,
    // Readings are held in memory for the platform's telemetry interval and 5 s more.
    writeBehindMs: Number((c.platform as { telemetryIntervalMs?: number }).telemetryIntervalMs ?? 0) + 5000,
    writeBehindMaxReadings: 5000,
    minFreeMb: 64,
    reserveMb: 4,
    drainRatePerSec: 0,
    alarmAckTimeoutMs: 100000,
  });
  t.same(c.platform, {
    url: 'mqtt://localhost:1883',
    kind: 'mqtt',
    clientId: 'hearth-gw-1',
    tls: {},
    allowInsecure: false,
    topicPrefix: 'hearth/v1',
    codec: 'native',
    unsignedReceipts: false,
    mqttVersion: '5',
    keepaliveS: 30,
    reconnectMinMs: 1000,
    reconnectMaxMs: 60000,
    inflightWindow: 32,
    batchMaxReadings: 500,
    batchMaxBytes: 262144,
    heartbeatMs: 300000,
    telemetryFormat: 'columns-deflate',
    telemetryIntervalMs: 60000,
    eventFormat: 'compact',
  });
  t.same(c.api, { enabled: true, host: '0.0.0.0', port: 8080 });
  t.same(c.log, { level: 'info', format: 'auto' });
  t.same(c.profilePaths, []);
  t.equal(c.demo, undefined);
  t.equal(c.sourcePath, '/etc/hearth/hearth.yaml');
});

t.test('TCP buses default to a 1000 ms timeout and port 502', async (t) => {
  const text = BASE.replace('    type: modbus-rtu\n    port: /dev/ttyUSB0', '    type: modbus-tcp\n    host: 10.0.0.9').replace(
    'devices:',
    'devices:',
  );
  const tcp = parseConfig(text, '/x/h.yaml').buses[0]!;
  t.same(tcp, { id: 'line1', type: 'modbus-tcp', host: '10.0.0.9', timeoutMs: 1000, retries: 1, port: 502 });
  const rtuTcp = parseConfig(text.replace('modbus-tcp', 'modbus-rtu-over-tcp'), '/x/h.yaml').buses[0]!;
  t.same(rtuTcp, { id: 'line1', type: 'modbus-rtu-over-tcp', host: '10.0.0.9', timeoutMs: 1000, retries: 1, port: 502, baudRate: 9600 });
});

t.test('no platform section: the embedded broker on the demo port', async (t) => {
  const text = BASE.replace(/platform:\n.*\n/, '') + 'demo:\n  brokerPort: 1884\n';
  const c = parseConfig(text, '/x/h.yaml');
  t.equal(c.platform.kind, 'embedded');
  t.equal(c.platform.url, 'mqtt://127.0.0.1:1884');
  t.equal(c.platform.topicPrefix, 'hearth/v1');
  t.same(c.demo, { simulators: [], cycleS: 60, brokerPort: 1884, confirmEvents: true, tagReaders: [] });
});

t.test('given values win over defaults, floors become text', async (t) => {
  const text = BASE.replace('location: { room: hall }', 'location: { floor: 2 }\n    offline: { afterPolls: 5 }\n    enabled: false').replace(
    'url: mqtt://localhost:1883',
    'url: mqtt://localhost:1883\n  clientId: my-client',
  );
  const c = parseConfig(text, '/x/h.yaml');
  t.same(c.devices[0]!.location, { floor: '2' });
  t.same(c.devices[0]!.offline, { afterPolls: 5, afterMs: 30000 });
  t.equal(c.devices[0]!.enabled, false);
  t.equal(c.platform.clientId, 'my-client');
});

t.test('relative paths resolve against the config file folder', async (t) => {
  const dir = t.testdir({
    'ca.pem': 'ca',
    tls: { 'gw.crt': 'c', 'gw.key': 'k' },
    secret: 'pw',
    profiles: { 'acme.yaml': 'model: A\nkind: smoke\npoints: [{ name: d, area: input, address: 0, type: uint16 }]\n' },
  });
  const text = BASE.replace('id: gw-1', 'id: gw-1\n  stateDir: state')
    .replace('profile: example-smoke-detector', 'profile: profiles/acme.yaml')
    .replace('url: mqtt://localhost:1883', 'url: mqtts://b.example.com\n  tls: { ca: ca.pem, cert: tls/gw.crt, key: ./tls/gw.key }\n  passwordFile: secret')
    .concat('profilePaths: [profiles, /opt/profiles]\n');
  const c = parseConfig(text, `${dir}/hearth.yaml`);
  t.equal(c.gateway.stateDir, `${dir}/state`);
  t.equal(c.outbox.path, `${dir}/state/outbox.db`);
  t.same(c.platform.tls, { ca: `${dir}/ca.pem`, cert: `${dir}/tls/gw.crt`, key: `${dir}/tls/gw.key` });
  t.equal(c.platform.passwordFile, `${dir}/secret`);
  t.same(c.profilePaths, [`${dir}/profiles`, '/opt/profiles']);
  t.equal(c.devices[0]!.profile, `${dir}/profiles/acme.yaml`);
});

t.test('loadConfig reads the file; a missing file is a ConfigError', async (t) => {
  const dir = t.testdir({ 'hearth.yaml': BASE });
  const c = await loadConfig(`${dir}/hearth.yaml`);
  t.equal(c.gateway.id, 'gw-1');
  const err = await loadConfig(`${dir}/nope.yaml`).catch((e: unknown) => e);
  t.type(err, ConfigError);
  t.equal((err as ConfigError).message, `${dir}/nope.yaml: cannot read config file (ENOENT)`);
});

t.test('a config without a remote section gets the same remote settings as one with an empty section', async (t) => {
  const { REMOTE_DEFAULTS } = await import('../../src/remote/remote-management.js');
  const c = parseConfig(`${BASE}\nremote: {}\n`, '/etc/hearth/hearth.yaml');
  t.same(REMOTE_DEFAULTS, c.remote, 'the defaults the daemon falls back to are the schema\'s');
  t.equal(REMOTE_DEFAULTS.enabled, false, 'off');
});
