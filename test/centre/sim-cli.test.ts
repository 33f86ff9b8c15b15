import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { CentreSession } from '../../src/uplink/centre/session.js';
import { freePort, waitFor } from '../helpers/net.js';
import { fireAlarm, tempDir, GATEWAY } from '../outbox/fixtures.js';
import { ROUTES, centreConfig, site } from './harness.js';
import { nodeArgsFor } from '../helpers/node-entry.js';
import { sibling } from '../helpers/repo.js';

const SCRIPT = sibling(import.meta.url, '../../scripts/sim/monitoring-centre.ts');

t.test('the command-line centre logs a gateway in plain language, confirms, and reads on command', async (t) => {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgsFor(SCRIPT), '--port', String(port), '--host', '127.0.0.1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('listening'), 20_000);

  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), gatewayId: GATEWAY, reserveMb: 0, minFreeMb: 0, destinations: ROUTES });
  const session = new CentreSession({ centre: centreConfig(port), source: outbox.source('centre')!, site: site(), version: '2.3.0' });
  t.teardown(() => {
    session.stop();
    outbox.close();
  });
  session.start();
  outbox.appendEvent(fireAlarm(1, { deviceId: 'smoke-1' }));
  await waitFor(() => outbox.stats().destinations?.centre?.depth.fire === 0, 10_000);
  t.match(out, /send #\d+ 110120→0: component state \(2\): component type 40 at loop 1 point 3 "2F corridor smoke": fire/);
  child.stdin.write('read 85\n');
  await waitFor(() => out.includes('answer:'), 10_000);
  t.match(out, /answer: transmission device software version \(25\): 2\.3/);
  child.stdin.write('nonsense\n');
  await waitFor(() => out.includes('not a command'), 5000);
  t.pass('a bad command is explained, the centre runs on');
});
