import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { freePort, waitFor } from '../helpers/net.js';
import { GATEWAY, fault, reading, tempDir } from '../outbox/fixtures.js';
import { Subscriber, missing, platform, range } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Persistence on: the platform subscriber's session (and its queue) survives the broker restart,
// so what the gateway publishes before the subscriber is back is still delivered to it.
const broker = await Mosquitto.start({ persistence: true });
t.teardown(() => broker.close());

t.test('broker stopped and restarted mid-stream: every seq arrives at least once', async (t) => {
  const sub = await Subscriber.connect(broker.url, undefined, { clientId: 'platform-outage', clean: false });
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 20 });
  t.teardown(() => outbox.close());
  const session = new UplinkSession({ platform: platform(broker.url), gatewayId: GATEWAY, outbox });
  t.teardown(() => session.stop());
  session.start();
  await waitFor(() => session.state().connected);

  // A producer at ~500 readings/s, with an event every 100 readings, across the whole outage.
  let seq = 0;
  const events: number[] = [];
  const producer = setInterval(() => {
    seq++;
    if (seq % 100 === 0) {
      outbox.appendEvent(fault(seq, { id: `f-${seq}` }));
      events.push(seq);
    } else {
      outbox.appendReading(reading(seq));
    }
  }, 2);
  await sleep(300);
  await broker.stop();
  await waitFor(() => !session.state().connected);
  const duringOutage = seq;
  await sleep(400);
  t.ok(seq > duringOutage, 'the gateway kept recording during the outage');
  await broker.start();
  await sleep(300);
  clearInterval(producer);
  const last = seq;

  await sub.waitFor((s) => {
    const got = new Set([...s.readingSeqs(), ...s.on('/events/fault').map((m) => m.body.seq as number)]);
    return got.size >= last;
  }, 15_000).catch(() => undefined);
  const got = [...sub.readingSeqs(), ...sub.on('/events/fault').map((m) => m.body.seq as number)];
  t.same(missing(got, range(1, last)), [], `all ${last} records arrived (${got.length} messages incl. duplicates)`);
  const st = session.state();
  t.ok(st.connects >= 2, 'reconnected');
  t.equal(st.connected, true);
  await waitFor(() => {
    outbox.flush();
    return outbox.stats().total === 0;
  });
  t.pass('the outbox drained completely');
});

t.test('unsent data survives a restart of outbox and uplink and is delivered after it', async (t) => {
  const sub = await Subscriber.connect(broker.url, undefined, { clientId: 'platform-restart', clean: false });
  t.teardown(() => sub.close());
  const path = join(tempDir(t), 'outbox.db');
  const cfg = platform(broker.url, { batchMaxReadings: 20 });

  // First life: a backlog, the uplink stopped while it is draining.
  let outbox = Outbox.open({ path });
  for (const s of range(1, 3000)) outbox.appendReading(reading(s));
  outbox.appendEvent(fault(3001));
  let session = new UplinkSession({ platform: cfg, gatewayId: GATEWAY, outbox });
  session.start();
  await sub.waitFor((s) => s.on('/telemetry').length >= 5);
  await session.stop();
  outbox.close();
  const firstLife = new Set(sub.readingSeqs());
  t.ok(firstLife.size < 3000, `stopped mid-drain (${firstLife.size} readings delivered in the first life)`);

  // Second life: the same file, a new session.
  outbox = Outbox.open({ path });
  t.teardown(() => outbox.close());
  t.ok(outbox.stats().total > 0, 'unsent records were still in the file');
  session = new UplinkSession({ platform: cfg, gatewayId: GATEWAY, outbox });
  t.teardown(() => session.stop());
  session.start();
  await sub.waitFor((s) => missing(s.readingSeqs(), range(1, 3000)).length === 0 && s.on('/events/fault').length >= 1);
  t.pass('every reading and the event arrived');
});

t.test('an unreachable broker: reconnect attempts back off, nothing is lost meanwhile', async (t) => {
  const port = await freePort();
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const session = new UplinkSession({
    platform: platform(`mqtt://127.0.0.1:${port}`, { reconnectMinMs: 20, reconnectMaxMs: 100 }),
    gatewayId: GATEWAY,
    outbox,
    random: () => 0.5,
  });
  t.teardown(() => session.stop());
  outbox.appendEvent(fault(1));
  session.start();
  await waitFor(() => session.state().reconnectAttempts >= 4);
  const st = session.state();
  t.equal(st.connected, false);
  t.equal(st.connects, 0);
  t.equal(outbox.stats().depth.events, 1, 'the event waits in the outbox');
  t.equal(outbox.stats().inflight, 0, 'nothing leased while disconnected');
});
