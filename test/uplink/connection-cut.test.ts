import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { GATEWAY, fault, reading, tempDir } from '../outbox/fixtures.js';
import { Subscriber, missing, platform, range } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CUTS = 8;
const RECONNECT_MIN_MS = 100;

t.test(`connection cut ${CUTS} times at random moments mid-publish: nothing lost, reconnects back off`, async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const proxy = await TcpProxy.start(broker.port);
  t.teardown(() => proxy.close());
  // The platform side is connected to the broker directly: only the gateway's link is cut.
  const sub = await Subscriber.connect(broker.url);
  t.teardown(() => sub.close());

  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const last = 30_000;
  for (const seq of range(1, last)) {
    if (seq % 1000 === 0) outbox.appendEvent(fault(seq, { id: `cut-${seq}` }));
    else outbox.appendReading(reading(seq));
  }
  outbox.flush();
  const session = new UplinkSession({
    platform: platform(proxy.url, { batchMaxReadings: 50, inflightWindow: 8, reconnectMinMs: RECONNECT_MIN_MS, reconnectMaxMs: 800, keepaliveS: 5 }),
    gatewayId: GATEWAY,
    outbox,
    // Slow enough that the drain spans all the cuts.
    drainRatePerSec: 10_000,
    drainBurst: 200,
  });
  t.teardown(() => session.stop());
  session.start();

  const gaps: number[] = [];
  let cutWithInflight = 0;
  for (let i = 0; i < CUTS; i++) {
    await waitFor(() => session.state().connected, 20_000);
    const acked = session.state().counters.delivered;
    // A random moment once publishing is under way on this connection.
    await waitFor(() => session.state().counters.delivered > acked, 20_000);
    await sleep(Math.floor(Math.random() * 60));
    if (session.state().inflight > 0) cutWithInflight++;
    const accepted = proxy.accepted;
    const cutAt = Date.now();
    t.equal(proxy.cut(), 1, `cut ${i + 1}`);
    await waitFor(() => proxy.accepted > accepted, 20_000);
    gaps.push(Date.now() - cutAt);
  }
  t.ok(cutWithInflight > 0, `${cutWithInflight} of ${CUTS} cuts hit publishes awaiting PUBACK`);
  t.ok(gaps.every((g) => g >= RECONNECT_MIN_MS), `every reconnect waited at least the minimum backoff (${gaps.join(', ')} ms)`);

  const seqs = (s: Subscriber) => [...s.readingSeqs(), ...s.on('/events/fault').map((m) => m.body.seq as number)];
  await sub.waitFor((s) => missing(seqs(s), range(1, last)).length === 0, 60_000).catch(() => undefined);
  const got = seqs(sub);
  t.same(missing(got, range(1, last)), [], `all ${last} records arrived (${got.length - last} duplicates)`);
  const st = session.state();
  t.ok(st.connects >= CUTS + 1, `reconnected after every cut (${st.connects} connections)`);
  await waitFor(() => (outbox.flush(), outbox.stats().total === 0), 20_000);
  t.pass('the outbox drained completely');
});

t.test('backoff grows while the link stays down, with jitter, and resets after a connection', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  const proxy = await TcpProxy.start(broker.port);
  t.teardown(() => proxy.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  // Each wait is stamped where the session chooses it, in its own process: a test that polled for
  // attempts would see one late and the next on time, and measure a gap shorter than the real one.
  const logger = recordingLogger();
  const waits = (): { at: number; delayMs: number }[] => logger.lines.filter((l) => l.msg === 'uplink: reconnecting').map((l) => ({ at: l.at, delayMs: l.obj.delayMs as number }));
  const session = new UplinkSession({
    platform: platform(proxy.url, { reconnectMinMs: 50, reconnectMaxMs: 400 }),
    gatewayId: GATEWAY,
    outbox,
    logger,
    random: () => 1, // always the top of the jitter window: the growth is visible
  });
  t.teardown(() => session.stop());
  session.start();
  await waitFor(() => session.state().connected, 10_000);
  proxy.refuse(true);
  proxy.cut();
  let seen = proxy.accepted;
  // The wait after the cut, then one after each refused attempt.
  await waitFor(() => waits().length >= 5, 20_000);
  const seenWaits = waits();
  // Attempt n waits min(max, min * 2^(n+1)) at the top of the window: 100, 200, 400 ms (the first
  // wait, after a lost connection, is the long one).
  const chosen = seenWaits.slice(1, 4).map((w) => w.delayMs);
  t.same(chosen, [100, 200, 400], 'the waits after refused attempts grow: 100, 200, 400 ms');
  // And they are kept: the next wait is chosen only after the attempt that ended the previous one,
  // which a timer starts no earlier than its delay (1 ms: the timers' granularity).
  const gaps = seenWaits.slice(1, 4).map((w, i) => seenWaits[i + 2]!.at - w.at);
  t.ok(gaps.every((g, i) => g >= chosen[i]! - 1), `kept: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms between the choices`);
  proxy.refuse(false);
  await waitFor(() => session.state().connected, 10_000);
  t.ok(proxy.accepted > seen, 'reconnected once the link is back');
  seen = proxy.accepted;
  t.equal(session.state().reconnectAttempts, 0, 'backoff reset after a successful connection');
});
