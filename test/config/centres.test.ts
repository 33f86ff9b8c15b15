import t from 'tap';
import { parseConfigWithProfiles } from '../../src/config/load.js';
import { destinationRoutes } from '../../src/core/destinations.js';
import { BASE, issueLines } from './helpers.js';

const centre = (extra = '') => `  - { id: city-119, host: 10.0.0.5, port: 5000, sourceAddress: 1234${extra} }\n`;
const withCentres = (...lines: string[]) => `${BASE}centres:\n${lines.join('')}`;

t.test('a centre loads with the defaults a monitoring centre expects', async (t) => {
  const { config } = parseConfigWithProfiles(withCentres(centre()), '/etc/hearth/hearth.yaml');
  const c = config.centres[0]!;
  t.match(c, { protocol: 'gbt26875', centreAddress: 0, utcOffsetMinutes: 480, confirmTimeoutMs: 10_000, resends: 3, heartbeatS: 60, system: { type: 1, address: 1 }, devices: {} });
  t.same(c.route, { kinds: ['alarm', 'fault', 'restore', 'offline', 'online', 'tamper', 'test'], readings: false }, 'alarms, faults, restores and state changes; no readings');
  t.same(
    destinationRoutes(config).map((r) => r.id),
    ['platform', 'city-119'],
    'the outbox gets the platform and the centre as destinations',
  );
  t.same(destinationRoutes(config)[0], { id: 'platform', readings: true }, 'the platform takes everything unless platform.route says otherwise');
});

t.test('centre mistakes are named by their path', async (t) => {
  t.same(issueLines(withCentres(centre(), centre())), ["centres[1].id: duplicate centre id 'city-119' (also centres[0])", 'centres[1].port: centres[0] already connects to 10.0.0.5:5000']);
  t.same(issueLines(withCentres('  - { id: platform, host: h, port: 1, sourceAddress: 1 }\n')), ["centres[0].id: 'platform' is the MQTT platform's destination id: choose another"]);
  t.same(issueLines(withCentres(centre(', devices: { smoke-l: { componentType: 42 } }'))), ["centres[0].devices.smoke-l: no device, GPIO input or tag reader with id 'smoke-l' (did you mean 'smoke-1'?)"]);
  t.same(issueLines(withCentres(centre(', tls: { cert: a.pem }'))), [
    'centres[0].tls.key: client certificate and key must be given together',
    'centres[0].tls.cert: cannot read /etc/hearth/a.pem (ENOENT)',
  ], "and the file is looked for beside the config");
  t.same(issueLines(withCentres(centre(', route: { kinds: [], readings: false }'))), ['centres[0].route: routes nothing to this centre: give kinds, or leave kinds out for every kind']);
  const big = issueLines(withCentres('  - { id: c, host: h, port: 1, sourceAddress: 281474976710656 }\n'));
  t.equal(big.length, 1);
  t.match(big[0], /^centres\[0\]\.sourceAddress: /, 'an address beyond 6 bytes');
  t.match(issueLines(withCentres(centre(', route: { kinds: [fire], readings: false }')))[0], /^centres\[0\]\.route\.kinds\[0\]: /, 'an unknown event kind');
});
