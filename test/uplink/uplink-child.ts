// Child process for tests that must kill a live gateway (kill -9): outbox + uplink, nothing else.
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { platform } from './harness.js';

const [url, dbPath, gatewayId, clientId] = process.argv.slice(2);
if (url === undefined || dbPath === undefined || gatewayId === undefined) {
  // Run directly by a test runner that globbed the folder: not a test, nothing to do.
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const outbox = Outbox.open({ path: dbPath });
const session = new UplinkSession({
  platform: platform(url, clientId ? { clientId } : {}),
  gatewayId,
  outbox,
  version: 'test',
});
session.start();
const timer = setInterval(() => {
  if (session.state().connected) {
    process.stdout.write('connected\n');
    clearInterval(timer);
  }
}, 10);
setInterval(() => {}, 1000);
