// Child process for kill.test.ts: an outbox with the platform and one centre, a centre session
// to the test's simulator; with `append`, one fire alarm is committed first. Runs until killed.
import { Outbox } from '../../src/outbox/index.js';
import { CentreSession } from '../../src/uplink/centre/session.js';
import { fireAlarm } from '../outbox/fixtures.js';
import { ROUTES, centreConfig, site } from './harness.js';

const [path, port, append] = process.argv.slice(2);
if (path === undefined || port === undefined) {
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const outbox = Outbox.open({ path, gatewayId: 'gw-test', reserveMb: 0, minFreeMb: 0, flushIntervalMs: 5, destinations: ROUTES });
if (append === 'append') outbox.appendEvent(fireAlarm(outbox.next(), { id: 'killed-during-send', deviceId: 'smoke-1' }));
const session = new CentreSession({ centre: centreConfig(Number(port), { confirmTimeoutMs: 60_000 }), source: outbox.source('centre')!, site: site(), version: '1.0.0' });
session.start();
process.on('SIGTERM', () => {
  session.stop();
  outbox.close();
  process.exit(0);
});
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
