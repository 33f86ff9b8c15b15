import { join } from 'node:path';
import t from 'tap';
import type { FaultOptions, FaultReporter } from '../../src/faults/gateway-faults.js';
import { Outbox } from '../../src/outbox/index.js';
import { classifyRefusal, FAULT_REFUSED, UplinkSession } from '../../src/uplink/index.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { fireAlarm, reading, tempDir } from '../outbox/fixtures.js';
import { PREFIX, Subscriber, missing, platform, range } from './harness.js';

const GW = 'gw-refused';

/** A FaultReporter that remembers what was raised and cleared. */
function recordingFaults(): FaultReporter & { log: { op: 'raise' | 'clear'; key: string; message?: string; opts?: FaultOptions }[] } {
  const active = new Set<string>();
  const log: { op: 'raise' | 'clear'; key: string; message?: string; opts?: FaultOptions }[] = [];
  return {
    log,
    raise(key, message, opts) {
      if (active.has(key)) return;
      active.add(key);
      log.push({ op: 'raise', key, message, ...(opts ? { opts } : {}) });
    },
    clear(key, message) {
      if (!active.delete(key)) return;
      log.push({ op: 'clear', key, ...(message ? { message } : {}) });
    },
    active: (key) => active.has(key),
  };
}

const allow = (...writes: string[]) => [`topic read ${PREFIX}/#`, `topic write ${PREFIX}/+/status`, ...writes.map((w) => `topic write ${w}`), ''].join('\n');

t.test('reason codes: permanent and transient (MQTT 5.0 §3.4.2.1)', async (t) => {
  const code = (c: number) => classifyRefusal(Object.assign(new Error('Publish error'), { code: c }));
  for (const c of [0x87, 0x90, 0x99]) t.equal(code(c).permanent, true, `0x${c.toString(16)} is permanent`);
  for (const c of [0x80, 0x83, 0x91, 0x97, 0x8f, 0xfe]) t.equal(code(c).permanent, false, `0x${c.toString(16)} is transient`);
  t.equal(code(0x87).reason, 'reason code 0x87 (not authorized)');
  t.same(classifyRefusal(new Error('client disconnecting')), { code: undefined, permanent: false, reason: 'client disconnecting' }, 'no reason code: transient');
});

t.test('a fire alarm refused for good (ACL, PUBACK 0x87) is never parked: retried across a reconnection, a critical fault raised, delivered and cleared once the ACL allows it', async (t) => {
  const broker = await Mosquitto.start({ acl: allow(`${PREFIX}/+/telemetry`) });
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/${GW}/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 10, gatewayId: GW });
  t.teardown(() => outbox.close());
  const faults = recordingFaults();
  const session = new UplinkSession({ platform: platform(broker.url, { reconnectMinMs: 50, reconnectMaxMs: 60_000 }), gatewayId: GW, outbox, faults });
  t.teardown(() => session.stop());
  const explain = (what: string) => (err: Error) => {
    throw new Error(`${what}: ${err.message}; state ${JSON.stringify(session.state())}; stats ${JSON.stringify(outbox.stats())}; faults ${JSON.stringify(faults.log)}`);
  };
  session.start();
  await waitFor(() => session.state().connected, 10_000);
  outbox.appendEvent(fireAlarm(1, { id: 'fire-1', gatewayId: GW }));

  await waitFor(() => faults.active(FAULT_REFUSED), 10_000).catch(explain('no fault'));
  t.match(faults.log[0], { op: 'raise', key: 'uplink:refused', opts: { severity: 'critical' } });
  t.match(faults.log[0]!.message, /0x87 \(not authorized\)/, 'the fault names the reason code');
  t.match(session.state().lastRefusal, { code: 0x87, permanent: true, fireAlarm: true });
  // Refused again and again (a few seconds apart at most), and never parked.
  await waitFor(() => session.state().counters.rejected >= 4, 20_000).catch(explain('not retried'));
  t.equal(outbox.stats().parked, 0, 'never parked');
  t.equal(outbox.stats().depth.fire, 1, 'still waiting in the outbox');
  t.equal(session.state().fireAlarmsRefused, 1);
  // Other traffic is not held up behind the refused alarm.
  outbox.appendReading(reading(2, { gatewayId: GW }));
  await sub.waitFor((s) => s.readingSeqs().includes(2), 10_000).catch(explain('telemetry held up'));
  t.pass('telemetry flows while the fire alarm is retried');

  // A broker restart with the same ACL: the held alarm goes back to the outbox and is refused again.
  await broker.stop();
  await broker.start();
  await waitFor(() => session.state().connects === 2, 10_000).catch(explain('no reconnection'));
  const rejected = session.state().counters.rejected;
  await waitFor(() => session.state().counters.rejected > rejected, 10_000).catch(explain('not retried after reconnecting'));
  t.equal(outbox.stats().parked, 0, 'still never parked');
  t.equal(faults.log.length, 1, 'the fault was raised once, not per refusal');

  // The platform fixes its ACL (Mosquitto re-reads it on SIGHUP; the platform side stays subscribed).
  broker.setAcl(allow(`${PREFIX}/+/telemetry`, `${PREFIX}/+/events/#`));
  await broker.reload();
  await sub.waitFor((s) => s.messages.some((m) => m.body.id === 'fire-1'), 20_000).catch(explain('fire alarm not delivered'));
  t.pass('delivered once the ACL allows it');
  await waitFor(() => faults.log.length === 2, 10_000).catch(explain('fault not cleared'));
  t.match(faults.log[1], { op: 'clear', key: 'uplink:refused' }, 'cleared when a fire alarm is accepted again');
  await waitFor(() => (outbox.flush(), outbox.stats().depth.fire === 0), 5000);
  t.equal(session.state().fireAlarmsRefused, 0);
});

t.test('a telemetry batch refused for good is parked, and retried periodically on a link that stays up (one probe per period)', async (t) => {
  const broker = await Mosquitto.start({ acl: allow(`${PREFIX}/+/events/#`) });
  t.teardown(() => broker.close());
  const sub = await Subscriber.connect(broker.url, `${PREFIX}/${GW}/#`);
  t.teardown(() => sub.close());
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 10, gatewayId: GW });
  t.teardown(() => outbox.close());
  const logger = recordingLogger();
  const session = new UplinkSession({
    platform: platform(broker.url, { batchMaxReadings: 50 }),
    gatewayId: GW,
    outbox,
    logger,
    parkedRetryMs: 300,
  });
  t.teardown(() => session.stop());
  const explain = (what: string) => (err: Error) => {
    throw new Error(`${what}: ${err.message}; state ${JSON.stringify(session.state())}; stats ${JSON.stringify(outbox.stats())}`);
  };
  for (const s of range(1, 200)) outbox.appendReading(reading(s, { gatewayId: GW }));
  outbox.flush();
  session.start();
  await waitFor(() => outbox.stats().parked >= 200, 10_000).catch(explain('not parked'));
  t.match(session.state().lastRefusal, { code: 0x87, permanent: true, fireAlarm: false });
  const probes = () => logger.lines.filter((l) => /retried as a probe/.test(l.msg)).length;
  const [rejected0, probes0] = [session.state().counters.rejected, probes()];
  await waitFor(() => probes() >= probes0 + 3, 10_000).catch(explain('no periodic retry'));
  await waitFor(() => outbox.stats().parked === 200, 5000).catch(explain('probe not parked again'));
  const rounds = probes() - probes0;
  const resent = session.state().counters.rejected - rejected0;
  t.ok(resent >= 2, `parked records are retried on the same link (${resent} refusals in ${rounds} rounds)`);
  t.ok(resent <= rounds + 1, `one message per round, not the whole parked backlog (${resent} refusals in ${rounds} rounds)`);
  t.equal(session.state().connects, 1, 'the link stayed up');

  // The platform allows telemetry again without dropping the connection (Mosquitto re-reads its ACL on SIGHUP).
  broker.setAcl(allow(`${PREFIX}/+/events/#`, `${PREFIX}/+/telemetry`));
  await broker.reload();
  await sub.waitFor((s) => missing(s.readingSeqs(), range(1, 200)).length === 0, 20_000).catch(explain('parked readings not delivered'));
  t.pass('the next probe was accepted and every parked reading followed');
  await waitFor(() => (outbox.flush(), outbox.stats().parked === 0 && outbox.stats().depth.telemetry === 0), 5000).catch(explain('not emptied'));
  t.equal(session.state().connects, 1, 'still the same connection');
});
