import t from 'tap';
import { runHearth } from '../helpers/hearth-cli.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { createPtyPair } from '../helpers/socat.js';
import { writeSite } from './fixtures.js';

/**
 * `hearth scan` over the real serialport code path (a socat pty pair) against pymodbus: progress on
 * stderr when it is not a terminal, the scan stops at the first baud rate that answers, and a port
 * that is not there is named, with where to look, exit 69.
 */

t.test('progress off a terminal, and stop at the first baud rate that answers', async (t) => {
  const pty = await createPtyPair('scan');
  t.teardown(() => pty.close());
  const slave = await startPymodbus({ mode: 'rtu', device: pty.b, units: [3], init: { 3: { holding: { 0: 7 } } } });
  t.teardown(() => slave.stop());

  // A generous reply timeout: a slave that answers late under load must not look absent.
  const first = await runHearth(['scan', '--serial', pty.a, '--from', '1', '--to', '26', '--baud', '9600,19200', '--timeout', '500']);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^unit 3 at 9600 baud: answers$/m);
  t.notMatch(first.stdout, /19200/, 'the second rate was not scanned');
  t.match(first.stderr, /^scanning units 1-26 at 9600 baud \(26 addresses, at most 13 s\)$/m, 'a line when a rate starts');
  t.match(first.stderr, /^ {2}25\/26 at 9600 baud, found 1$/m, 'a line every 25 addresses');
  t.match(first.stderr, /stopped at 9600 baud, where slaves answered; not tried: 19200 \(--all-rates tries them\)/);
  t.notMatch(first.stderr, /\r/, 'no carriage returns in a pipe');

  const all = await runHearth(['scan', '--serial', pty.a, '--from', '2', '--to', '4', '--baud', '9600,19200', '--all-rates', '--timeout', '500', '--json']);
  t.equal(all.code, 0, all.stderr);
  const found = JSON.parse(all.stdout) as { found: { unit: number; baudRate: number }[]; ratesNotTried: number[] };
  t.same(found.found.map((h) => [h.unit, h.baudRate]), [[3, 9600], [3, 19200]], '--all-rates: every rate (a pty does not care about the rate)');
  t.same(found.ratesNotTried, []);
  t.match(all.stderr, /scanning units 2-4 at 19200 baud/);
});

t.test('a serial port that does not exist is named, with /dev/serial/by-id, exit 69', async (t) => {
  const gone = await runHearth(['scan', '--serial', '/dev/ttyUSB-not-plugged-in']);
  t.equal(gone.code, 69, 'unavailable, not a failure');
  t.match(gone.stderr, /serial port \/dev\/ttyUSB-not-plugged-in does not exist/);
  t.match(gone.stderr, /\/dev\/serial\/by-id/);
  t.notMatch(gone.stderr, /not connected/);

  const site = writeSite(t, 'type: modbus-rtu, port: /dev/ttyUSB-not-plugged-in, baudRate: 9600');
  const fromConfig = await runHearth(['scan', '--bus', 'line-1', '--config', site.config]);
  t.equal(fromConfig.code, 69);
  t.match(fromConfig.stderr, /The port is set in buses\[0\] in .*hearth\.yaml/, 'where to change it');
});

t.test('a Modbus TCP device server that refuses: the address and what to check, exit 69', async (t) => {
  const r = await runHearth(['scan', '--tcp', '127.0.0.1:1', '--to', '2']);
  t.equal(r.code, 69);
  t.match(r.stderr, /nothing accepts connections at 127\.0\.0\.1:1: check the device server's IP address and port/);
});
