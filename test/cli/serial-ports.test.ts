import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { listSerialPorts, missingPortAdvice } from '../../src/cli/serial-ports.js';

/** What an installer whose port is missing is shown: the by-id names of the adapters that are there. */

t.test('adapters by their /dev/serial/by-id name, other serial ports beside them', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-serial-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dev = join(root, 'dev');
  const byId = join(dev, 'serial', 'by-id');
  mkdirSync(byId, { recursive: true });
  for (const n of ['ttyUSB0', 'ttyUSB1', 'ttyAMA0', 'tty1', 'null']) writeFileSync(join(dev, n), '');
  symlinkSync('../../ttyUSB0', join(byId, 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'));

  const ports = listSerialPorts(byId, dev);
  t.same(ports.byId, [{ path: join(byId, 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'), device: 'ttyUSB0' }]);
  t.same(ports.others, [join(dev, 'ttyAMA0'), join(dev, 'ttyUSB1')], 'ttyUSB0 is listed by its by-id name only; no consoles');

  const advice = missingPortAdvice('/dev/ttyUSB3', ports, byId);
  t.match(advice, /^serial port \/dev\/ttyUSB3 does not exist\./);
  t.match(advice, /usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0 {2}\(ttyUSB0\)/);
  t.match(advice, /Other serial ports: .*ttyAMA0/);

  const none = missingPortAdvice('/dev/ttyUSB3', listSerialPorts(join(root, 'nowhere'), join(root, 'nowhere')), byId);
  t.match(none, /is empty or absent: no USB serial adapter is plugged in/);
});
