import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, fault, reading, tempDir } from '../outbox/fixtures.js';
import { Subscriber, missing, platform, range } from './harness.js';

const READINGS = 20_000;
const EVENT_EVERY = 500;

t.test(`broker restarted mid-drain of a ${READINGS}-reading backlog: every seq arrives at least once`, async (t) => {
  // Persistence: the platform subscriber's session and queue survive the restart (clean: false,
  // fixed client id), so what the gateway publishes before the subscriber is back still reaches it.
  const broker = await Mosquitto.start({ persistence: true });
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, undefined, { clientId: 'platform-restart-drain', clean: false });
  t.teardown(() => sub.close());

  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const eventSeqs: number[] = [];
  for (const seq of range(1, READINGS + READINGS / EVENT_EVERY)) {
    if (seq % (EVENT_EVERY + 1) === 0) {
      outbox.appendEvent(fault(seq, { id: `backlog-${seq}` }));
      eventSeqs.push(seq);
    } else {
      outbox.appendReading(reading(seq));
    }
  }
  outbox.flush();
  const last = READINGS + READINGS / EVENT_EVERY;
  // A modest rate limit so the drain is surely still under way when the broker goes down.
  const session = new UplinkSession({
    platform: platform(broker.url, { batchMaxReadings: 100 }),
    gatewayId: GATEWAY,
    outbox,
    drainRatePerSec: 20_000,
    drainBurst: 500,
  });
  t.teardown(() => session.stop());
  session.start();

  await sub.waitFor((s) => new Set(s.readingSeqs()).size >= 2000, 30_000);
  await broker.stop();
  await waitFor(() => !session.state().connected, 10_000);
  const before = new Set(sub.readingSeqs()).size;
  t.ok(before < READINGS, `broker stopped mid-drain (${before} of ${READINGS} readings delivered)`);
  t.ok(outbox.stats().inflight === 0, 'in-flight records released to the outbox');
  await broker.start();

  const seqs = (s: Subscriber) => [...s.readingSeqs(), ...s.on('/events/fault').map((m) => m.body.seq as number)];
  await sub.waitFor((s) => missing(seqs(s), range(1, last)).length === 0, 60_000).catch(() => undefined);
  const got = seqs(sub);
  t.same(missing(got, range(1, last)), [], `all ${last} records arrived (${got.length} incl. duplicates)`);
  t.ok(session.state().connects >= 2, 'the uplink reconnected by itself');
  await waitFor(() => (outbox.flush(), outbox.stats().total === 0), 20_000);
  t.pass('the outbox drained completely');
});
