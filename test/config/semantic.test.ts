import t from 'tap';
import { BASE, issueLines } from './helpers.js';

const device = (id: string, address: number, extra = '') =>
  `  - { id: ${id}, profile: example-smoke-detector, bus: line1, address: ${address}, location: { room: r }${extra} }\n`;
const withDevices = (...lines: string[]) => BASE.replace('platform:', `${lines.join('')}platform:`);

t.test('ids are unique', async (t) => {
  t.same(issueLines(withDevices(device('smoke-1', 2))), ["devices[1].id: duplicate device id 'smoke-1' (also devices[0])"]);
  const twoBuses = BASE.replace('devices:', 'devices:').replace('  - id: line1\n', '  - { id: line1, type: modbus-tcp, host: h }\n  - id: line1\n');
  t.same(issueLines(twoBuses), ["buses[1].id: duplicate bus id 'line1' (also buses[0])"]);
});

t.test('a device refers to an existing bus', async (t) => {
  t.same(issueLines(BASE.replace('bus: line1', 'bus: line2')), ["devices[0].bus: no bus with id 'line2' (did you mean 'line1'?)"]);
  t.same(issueLines(BASE.replace('bus: line1', 'bus: annex')), ["devices[0].bus: no bus with id 'annex' (buses: line1)"]);
});

t.test('one address per bus', async (t) => {
  t.same(issueLines(withDevices(device('smoke-2', 1))), ["devices[1].address: address 1 on bus 'line1' is already used by devices[0] ('smoke-1')"]);
});

t.test('profiles: unknown name, unknown path, broken profile', async (t) => {
  const lines = issueLines(BASE.replace('profile: example-smoke-detector', 'profile: example-smoke-detectr'));
  t.equal(lines.length, 1);
  t.match(lines[0], /^devices\[0\]\.profile: no profile named 'example-smoke-detectr' \(looked for example-smoke-detectr\.yaml in .*drivers\/modbus\/profiles\/?; did you mean 'example-smoke-detector'\?\)$/);

  t.same(issueLines(BASE.replace('profile: example-smoke-detector', 'profile: ./profiles/acme.yaml')), [
    'devices[0].profile: cannot read profile file /etc/hearth/profiles/acme.yaml (ENOENT)',
  ]);

  const dir = t.testdir({
    'acme.yaml': 'model: A1\nkind: smoke\npoints:\n  - { name: density, area: input, address: 0, type: uint17 }\n',
    'site.yaml': BASE.replace('profile: example-smoke-detector', 'profile: acme.yaml'),
  });
  t.same(issueLines(BASE.replace('profile: example-smoke-detector', 'profile: acme.yaml'), `${dir}/site.yaml`), [
    "devices[0].profile: acme.yaml: points[0].type: must be one of int16, uint16, int32, uint32, float32, bool, got 'uint17'",
  ]);
});

t.test('profilePaths are searched before the shipped profiles', async (t) => {
  const dir = t.testdir({
    profiles: { 'example-smoke-detector.yaml': 'model: Site override\nkind: smoke\npoints:\n  - { name: density, area: input, address: 0, type: uint16 }\n' },
  });
  const text = `${BASE}profilePaths: [profiles]\n`;
  const { parseConfigWithProfiles } = await import('../../src/config/load.js');
  const { config, profiles } = parseConfigWithProfiles(text, `${dir}/hearth.yaml`);
  t.same(config.profilePaths, [`${dir}/profiles`]);
  t.equal(profiles.get('smoke-1')?.model, 'Site override');
});

t.test('threshold and reporting overrides name points of the profile', async (t) => {
  const over = (s: string) => BASE.replace('location: { room: hall }', `location: { room: hall }\n    ${s}`);
  t.same(issueLines(over('thresholds: { smoke_densty: { high: 0.2 } }')), [
    "devices[0].thresholds.smoke_densty: no point 'smoke_densty' in profile 'example-smoke-detector' (did you mean 'smoke_density'?)",
  ]);
  t.same(issueLines(over('thresholds: { fire_alarm: { high: 1 } }')), ["devices[0].thresholds.fire_alarm: thresholds apply to numeric points only; 'fire_alarm' is boolean"]);
  t.same(issueLines(over('reporting: { humidity: { deadband: 1 } }')).length, 1);
  t.same(issueLines(over('thresholds: { temperature: { low: 70 } }')), ['devices[0].thresholds.temperature: low (70) must be below high (60) after merging with the profile']);
  t.same(issueLines(over('thresholds: { Temperature: { high: 70 } }')), [
    "devices[0].thresholds.Temperature: point name must be lower_snake_case (a-z, 0-9, '_', starting with a letter), got 'Temperature'",
  ]);
});

t.test('platform url: scheme, plain text only to loopback or with allowInsecure', async (t) => {
  const url = (u: string, extra = '') => BASE.replace('url: mqtt://localhost:1883', `url: ${u}${extra}`);
  t.same(issueLines(url('http://broker:80')), ["platform.url: scheme must be one of mqtt, mqtts, ws, wss, got 'http'"]);
  t.same(issueLines(url('broker:1883')), ["platform.url: scheme must be one of mqtt, mqtts, ws, wss, got 'broker'"]);
  t.same(issueLines(url('not a url')), ["platform.url: must be a URL such as mqtts://broker.example.com:8883, got 'not a url'"]);
  t.same(issueLines(url('mqtt://10.0.0.5:1883')), ["platform.url: plain-text mqtt:// to '10.0.0.5' is refused: use mqtts:// or set platform.allowInsecure: true"]);
  t.same(issueLines(url('mqtt://10.0.0.5:1883', '\n  allowInsecure: true')), []);
  t.same(issueLines(url('mqtt://127.0.0.1:1883')), []);
  t.same(issueLines(url('mqtts://broker.example.com:8883')), []);
  t.same(issueLines(url('wss://broker.example.com/mqtt')), []);
});

t.test('TLS and password files must be readable; cert and key go together', async (t) => {
  const dir = t.testdir({ 'ca.pem': 'x', secret: 'pw\n' });
  const text = BASE.replace(
    'url: mqtt://localhost:1883',
    'url: mqtts://broker.example.com:8883\n  tls: { ca: ca.pem, cert: missing.pem }\n  passwordFile: secret\n  username: u',
  );
  t.same(issueLines(text, `${dir}/hearth.yaml`), [
    'platform.tls.key: client certificate and key must be given together',
    `platform.tls.cert: cannot read ${dir}/missing.pem (ENOENT)`,
  ]);
  t.same(issueLines(text, `${dir}/hearth.yaml`, { checkFiles: false }), ['platform.tls.key: client certificate and key must be given together']);
  const both = BASE.replace('url: mqtt://localhost:1883', 'url: mqtt://localhost:1883\n  password: p\n  passwordFile: /nonexistent');
  t.same(issueLines(both), ['platform.passwordFile: set either password or passwordFile, not both', 'platform.passwordFile: cannot read /nonexistent (ENOENT)']);
  const plainWithTls = BASE.replace('url: mqtt://localhost:1883', 'url: mqtt://localhost:1883\n  tls: { ca: /etc/ssl/certs/ca-certificates.crt }');
  t.same(issueLines(plainWithTls, undefined, { checkFiles: false }), ['platform.tls: TLS files are set but the url is plain mqtt:// (did you mean mqtts://?)']);
});

t.test('ordering constraints between values', async (t) => {
  t.same(issueLines(BASE.replace('url: mqtt://localhost:1883', 'url: mqtt://localhost:1883\n  reconnectMinMs: 5000\n  reconnectMaxMs: 1000')), [
    'platform.reconnectMinMs: must not exceed reconnectMaxMs (1000), got 5000',
  ]);
  t.same(issueLines(BASE.replace('location: { room: hall }', 'location: { room: hall }\n    backoff: { initialMs: 90000, maxMs: 60000 }')), [
    'devices[0].backoff.initialMs: must not exceed backoff.maxMs (60000), got 90000',
  ]);
});
