import t from 'tap';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { EXIT_CONFIG } from '../../src/errors.js';
import { BASE, issueLines } from './helpers.js';

t.test('the base config loads', async (t) => {
  t.same(issueLines(BASE), []);
});

t.test('ConfigError: one error, code CONFIG_INVALID, message = the lines', async (t) => {
  const err = t.throws(() => parseConfig('gateway: {}\n', '/x/h.yaml')) as unknown as ConfigError;
  t.type(err, ConfigError);
  t.equal(err.code, 'CONFIG_INVALID');
  t.equal(err.message, "gateway: missing required key 'id'");
  t.same(err.issues, [{ path: 'gateway', message: "missing required key 'id'", line: 1 }]);
  t.equal(err.sourcePath, '/x/h.yaml');
  t.equal(EXIT_CONFIG, 78);
});

t.test('range with both limits names them and the value', async (t) => {
  const text = BASE.replace('address: 1', 'address: 300');
  t.same(issueLines(text), ['devices[0].address: must be 1-247, got 300']);
});

t.test('devices[3].address: the path counts list entries', async (t) => {
  const more = [2, 3, 4]
    .map((n) => `  - { id: d${n}, profile: example-smoke-detector, bus: line1, address: ${n === 4 ? 300 : n}, location: { room: r } }\n`)
    .join('');
  const text = BASE.replace('platform:', `${more}platform:`);
  t.same(issueLines(text), ['devices[3].address: must be 1-247, got 300']);
});

t.test('single-sided limits and integers', async (t) => {
  t.same(issueLines(`${BASE}outbox: { quotaMb: 2 }\n`), ['outbox.quotaMb: must be 8-1048576, got 2']);
  t.same(issueLines(BASE.replace('address: 1', 'address: 1.5')), ['devices[0].address: must be a whole number, got 1.5']);
});

t.test('type errors say what was expected and what was found', async (t) => {
  t.same(issueLines(BASE.replace('address: 1', 'address: one')), ["devices[0].address: must be a whole number, got 'one'"]);
  t.same(issueLines(BASE.replace('buses:\n  - id: line1', 'buses:\n  - id: line1').replace(/buses:[\s\S]*?devices:/, 'buses: /dev/ttyUSB0\ndevices:')), [
    "buses: must be a list, got '/dev/ttyUSB0'",
  ]);
  t.same(issueLines(`${BASE}api: { enabled: 'yes' }\n`), ["api.enabled: must be true or false, got 'yes'"]);
});

t.test('enum lists the allowed values', async (t) => {
  t.same(issueLines(`${BASE}log: { level: verbose }\n`), ["log.level: must be one of trace, debug, info, warn, error, fatal, got 'verbose'"]);
  t.same(issueLines(BASE.replace('port: /dev/ttyUSB0', 'port: /dev/ttyUSB0\n    parity: mark')), ["buses[0].parity: must be one of none, even, odd, got 'mark'"]);
  t.same(issueLines(BASE.replace('port: /dev/ttyUSB0', 'port: /dev/ttyUSB0\n    baudRate: 9601')), [
    'buses[0].baudRate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, got 9601',
  ]);
});

t.test('bus type selects the schema; a wrong type lists the kinds', async (t) => {
  t.same(issueLines(BASE.replace('type: modbus-rtu', 'type: modbus-ascii')), [
    "buses[0].type: must be one of modbus-rtu, modbus-rtu-over-tcp, modbus-tcp, got 'modbus-ascii'",
  ]);
  t.same(issueLines(BASE.replace('    type: modbus-rtu\n', '')), ["buses[0]: missing required key 'type'"]);
  // A TCP bus has no serial settings: only that branch's keys are allowed.
  const tcp = BASE.replace('type: modbus-rtu\n    port: /dev/ttyUSB0', 'type: modbus-tcp\n    host: 10.0.0.5\n    parity: even');
  t.same(issueLines(tcp), ["buses[0]: unknown key 'parity' (allowed: type, id, timeoutMs, retries, interFrameGapMs, host, port)"]);
});

t.test('unknown keys suggest the closest known key', async (t) => {
  t.same(issueLines(BASE.replace('address: 1', 'adress: 1')), [
    "devices[0]: missing required key 'address'",
    "devices[0]: unknown key 'adress' (did you mean 'address'?)",
  ]);
  t.same(issueLines(`${BASE}plaform: {}\n`), ["(root): unknown key 'plaform' (did you mean 'platform'?)"]);
  t.same(issueLines(BASE.replace('platform:\n  url', 'platform:\n  urll: x\n  url')), ["platform: unknown key 'urll' (did you mean 'url'?)"]);
});

t.test('required keys, empty strings, patterns, location', async (t) => {
  t.same(issueLines(BASE.replace('    bus: line1\n', '')), ["devices[0]: missing required key 'bus'"]);
  t.same(issueLines(BASE.replace('id: gw-1', "id: ''")), ['gateway.id: must not be empty']);
  t.same(issueLines(BASE.replace('id: gw-1', 'id: gw/1')), [
    "gateway.id: must start with a letter or digit and contain only letters, digits, '.', '_' and '-', got 'gw/1'",
  ]);
  t.same(issueLines(BASE.replace('port: /dev/ttyUSB0', 'port: ttyUSB0')), [
    "buses[0].port: must be an absolute device path such as /dev/ttyUSB0, got 'ttyUSB0'",
  ]);
  t.same(issueLines(BASE.replace('location: { room: hall }', 'location: {}')), ['devices[0].location: must set at least one of building, floor, room, note']);
  t.same(issueLines(BASE.replace('    location: { room: hall }\n', '')), ["devices[0]: missing required key 'location'"]);
});

t.test('a platform section needs a url unless it is the embedded broker', async (t) => {
  t.same(issueLines(BASE.replace('  url: mqtt://localhost:1883', '  keepaliveS: 30')), ["platform: missing required key 'url'"]);
  // The embedded broker forwards nowhere: only a demo config may use it.
  t.same(issueLines(BASE.replace('  url: mqtt://localhost:1883', '  kind: embedded')), [
    "platform: no platform configured: set platform.url to the city platform's broker (the embedded broker is only for configs with a demo section)",
  ]);
  t.same(issueLines(BASE.replace('  url: mqtt://localhost:1883', '  kind: embedded') + 'demo:\n  simulators: []\n'), []);
});

t.test('all problems come back at once, in file order', async (t) => {
  const text = BASE.replace('address: 1', 'address: 0').replace('id: gw-1', 'id: gw-1\n  clockSync: ntp');
  t.same(issueLines(text), [
    "gateway.clockSync: must be one of auto, assume-synced, never, got 'ntp'",
    'devices[0].address: must be 1-247, got 0',
  ]);
});

t.test('YAML syntax errors name line and column', async (t) => {
  const lines = issueLines('gateway:\n  id: gw-1\n devices: [\n');
  t.ok(lines.length >= 1);
  t.match(lines[0], /^line 3, column \d+: /);
  t.same(issueLines('gateway:\n  id: a\n  id: b\n'), ['line 3, column 3: Map keys must be unique']);
});

t.test('an empty file', async (t) => {
  t.same(issueLines(''), ['(root): the file is empty; at least a gateway section with an id is needed']);
  t.same(issueLines('- a\n'), ["(root): must be a mapping (key: value), got a list"]);
});
