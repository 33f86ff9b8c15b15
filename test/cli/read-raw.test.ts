import t from 'tap';
import { encodeValue } from '../../drivers/modbus/decode.js';
import { freePort } from '../helpers/net.js';
import { runHearth } from '../helpers/hearth-cli.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { writeSite } from './fixtures.js';

/**
 * `hearth read` against pymodbus with a device that sends its 32-bit leakage current low word first
 * (CDAB) while the profile says ABCD: the value decodes to a denormal (2.34e-41 mA) that passes the
 * 0-1000 limits. The read says so with a hint, and --raw shows the registers behind every value.
 */

t.test('--raw shows the registers; a word-swapped float gets a hint naming the order', async (t) => {
  const port = await freePort();
  const leakage = encodeValue(12.5, 'float32', 'big', 'little');
  // cable_temperature: (21.5 + 40) / 0.1 = 615; leakage_current CDAB; status bit 0 (alarm) clear.
  const slave = await startPymodbus({ mode: 'tcp', port, units: [3], init: { 3: { input: { 0: [615, ...leakage, 0] } } } });
  t.teardown(() => slave.stop());
  const site = writeSite(t, `type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 1000`);

  const plain = await runHearth(['read', 'meter-1', '--config', site.config]);
  t.equal(plain.code, 0, plain.stderr);
  t.match(plain.stdout, /^cable_temperature\s+21\.5\s+°C\s+good$/m);
  t.match(plain.stdout, /^leakage_current\s+2\.34\d*e-41\s+mA\s+good$/m, 'the wrong order decodes to a denormal inside the limits');
  t.match(
    plain.stdout,
    /^hint: leakage_current reads 2\.34\d*e-41 mA in the profile's order ABCD; the same registers in CDAB order read 12\.5 mA, within 0\.\.1000\. If the device's display agrees, set wordOrder: little on leakage_current in profile test-meter \(.*test-meter\.yaml\)\.$/m,
  );
  t.notMatch(plain.stdout, /0x/, 'no registers without --raw');

  const raw = await runHearth(['read', 'meter-1', '--config', site.config, '--raw']);
  t.equal(raw.code, 0, raw.stderr);
  t.match(raw.stdout, /^point\s+value\s+unit\s+quality\s+registers$/m);
  t.match(raw.stdout, /^cable_temperature\s+21\.5\s+°C\s+good\s+ir0 0x0267$/m, '615 = 0x0267');
  t.match(raw.stdout, /^leakage_current\s+\S+\s+mA\s+good\s+ir1-2 0x0000 0x4148$/m, '12.5 = 0x41480000, low word first');
  t.match(raw.stdout, /^leakage_alarm\s+false\s+good\s+ir3 0x0000 bit 0$/m);
  t.match(raw.stdout, /^hint: leakage_current/m);

  const json = await runHearth(['read', 'meter-1', '--config', site.config, '--json']);
  t.equal(json.code, 0);
  t.match(json.stderr, /^hint: leakage_current/m, 'with --json the hint goes to stderr');
  t.doesNotThrow(() => json.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), 'stdout stays JSON lines');
});

t.test('a correctly ordered value gets no hint', async (t) => {
  const port = await freePort();
  const slave = await startPymodbus({ mode: 'tcp', port, units: [3], init: { 3: { input: { 0: [615, ...encodeValue(12.5, 'float32'), 1] } } } });
  t.teardown(() => slave.stop());
  const site = writeSite(t, `type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 1000`);
  const r = await runHearth(['read', 'meter-1', '--config', site.config]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^leakage_current\s+12\.5\s+mA\s+good$/m);
  t.match(r.stdout, /^leakage_alarm\s+true\s+good$/m);
  t.notMatch(r.stdout, /hint:/);
});

t.test('a mistyped device or bus id: the ids there are and the closest one, exit 64', async (t) => {
  const site = writeSite(t, 'type: modbus-tcp, host: 127.0.0.1, port: 1502');
  const [device, bus] = await Promise.all([runHearth(['read', 'metre-1', '--config', site.config]), runHearth(['scan', '--bus', 'line1', '--config', site.config])]);
  t.equal(device.code, 64);
  t.match(device.stderr, /no device 'metre-1' in the configuration \(devices: meter-1\); did you mean 'meter-1'\?/);
  t.equal(bus.code, 64);
  t.match(bus.stderr, /no bus 'line1' in the configuration \(buses: line-1\); did you mean 'line-1'\?/);
});

t.test('a device on a serial port that does not exist: the path, /dev/serial/by-id, the config key, exit 69', async (t) => {
  const site = writeSite(t, 'type: modbus-rtu, port: /dev/ttyUSB-not-plugged-in, baudRate: 9600');
  const r = await runHearth(['read', 'meter-1', '--config', site.config]);
  t.equal(r.code, 69, 'unavailable');
  t.match(r.stderr, /meter-1 is on bus line-1: serial port \/dev\/ttyUSB-not-plugged-in does not exist/);
  t.match(r.stderr, /\/dev\/serial\/by-id/);
  t.match(r.stderr, /The port is set in buses\[0\]\.port in .*hearth\.yaml/);
  t.notMatch(r.stderr, /not connected/);
});
