import { sealEnvelope } from '../../../src/signing/envelope.js';
import { operator } from '../../remote/signing-fixtures.js';
import mqtt from 'mqtt';
import t from 'tap';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/net.js';
import { DELIVERY_MS, matrixField, startRig, type Tap } from './harness.js';

/**
 * Fault matrix, uplink (docs/alarm-path.md). The platform goes away, comes back, refuses, or never
 * confirms. The siren sounds in every case; the fire alarm reaches the platform within 10 s of the
 * platform being reachable again; a platform that never confirms becomes a visible fault.
 *   - broker down at start, then up
 *   - broker restarting while the gateway runs (its fleet back-off has grown)
 *   - broker refusing publishes (ACL: PUBACK 0x87), then allowing them
 *   - platform never confirming receipt (native ack topic silent)
 */
const { slave, slavePort, nextUnit } = await matrixField(t, { units: 8, broker: false });
const PREFIX = 'hearth/v1';

async function sirenAndTime(t: Tap, r: Awaited<ReturnType<typeof startRig>>): Promise<void> {
  const raised = await r.raiseSmoke();
  t.pass(`siren sounded ${Math.round(await r.sirenWithin(raised))} ms after the detector changed, platform unreachable`);
}

t.test('broker down at start: the alarm sounds; the platform has it within 10 s of the broker coming up', async (t) => {
  const broker = await Mosquitto.start({ persistence: true });
  t.teardown(() => broker.close());
  const r = await startRig(t, { id: 'mx-broker-down', unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, persistentSubscriber: true });
  await waitFor(() => r.daemon.gatewayParts().uplink.state().connected === true);
  await r.daemon.stop();
  await broker.stop();
  // A fresh gateway process on a broker that is down.
  const r2 = await startRig(t, { id: 'mx-broker-down', unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, subscribeFirst: false });
  await sirenAndTime(t, r2);
  await new Promise((res) => setTimeout(res, 4000)); // the reconnect back-off grows meanwhile
  const up = performance.now();
  await broker.start();
  // The subscriber's session outlived the restart: it sees what the gateway sends as soon as it is back.
  const late = r.events;
  await waitFor(() => late.some((e) => e.kind === 'alarm' && e.pt === 'fire_alarm'), DELIVERY_MS);
  t.ok(performance.now() - up <= DELIVERY_MS, `at the platform ${Math.round(performance.now() - up)} ms after the broker came up`);
});

t.test('broker restarting: an alarm raised while it is down reaches the platform within 10 s of its return', async (t) => {
  const broker = await Mosquitto.start({ persistence: true });
  t.teardown(() => broker.close());
  const r = await startRig(t, { id: 'mx-broker-restart', unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, persistentSubscriber: true });
  await waitFor(() => r.daemon.gatewayParts().uplink.state().connected === true);
  await broker.stop();
  await new Promise((res) => setTimeout(res, 6000)); // several attempts: the idle back-off is long now
  await sirenAndTime(t, r);
  const up = performance.now();
  await broker.start();
  await r.alarmAtPlatformWithin(up);
  t.pass(`at the platform ${Math.round(performance.now() - up)} ms after the broker came back`);
  t.ok(r.daemon.store.health().ok);
});

t.test('broker refusing publishes (PUBACK 0x87): the alarm sounds, is never parked, the refusal is a fault; delivered once allowed', async (t) => {
  const allow = (...writes: string[]) => [`topic read ${PREFIX}/#`, `topic write ${PREFIX}/+/status`, ...writes.map((w) => `topic write ${w}`), ''].join('\n');
  const broker = await Mosquitto.start({ acl: allow(`${PREFIX}/+/telemetry/#`) });
  t.teardown(() => broker.close());
  const r = await startRig(t, { id: 'mx-refusing', unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, platformYaml: "mqttVersion: '5'" });
  await waitFor(() => r.daemon.gatewayParts().uplink.state().connected === true);
  await sirenAndTime(t, r);
  await waitFor(() => (r.daemon.gatewayParts().uplink.state().fireAlarmsRefused ?? 0) > 0, DELIVERY_MS);
  t.ok(r.daemon.faults.active('uplink:refused'), 'the refusal is a fault on the desk');
  t.equal(r.daemon.store.stats().depth.fire, 1, 'the fire alarm waits in the fire queue, not parked (other refused records may be)');
  broker.setAcl(allow(`${PREFIX}/+/telemetry/#`, `${PREFIX}/+/events/#`, `${PREFIX}/+/ev`));
  const allowed = performance.now();
  await broker.reload();
  await r.alarmAtPlatformWithin(allowed);
  await waitFor(() => r.events.some((e) => e.kind === 'restore' && e.pt === 'uplink:refused'), DELIVERY_MS);
  t.pass('delivered and the refusal fault cleared');
});

t.test('platform never confirming: after the receipt time a critical fault upstream, the fault LED on; a late confirmation clears it', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.close());
  // The platform signs its receipts with a key the gateway trusts (docs/uplink-native.md, "Signed receipts").
  const centre = operator('platform');
  const r = await startRig(t, {
    id: 'mx-no-receipt',
    unit: nextUnit(),
    slave,
    slavePort,
    brokerUrl: broker.url,
    outboxYaml: 'alarmAckTimeoutMs: 2000',
    extraYaml: `remote: { keys: [{ id: ${centre.kid}, publicKey: ${centre.entry.publicKey} }] }`,
  });
  const raised = await r.raiseSmoke();
  await r.sirenWithin(raised);
  await r.alarmAtPlatformWithin(raised);
  t.notOk(r.faultLed());
  await waitFor(() => r.events.some((e) => e.kind === 'fault' && e.pt === 'alarm-receipt'), 10_000);
  t.match(r.events.find((e) => e.pt === 'alarm-receipt'), { sev: 'critical', msg: /not confirmed by the receiving centre/ });
  await waitFor(() => r.faultLed(), 2000);
  t.ok(r.daemon.desk.receiptState().fault);
  const alarm = r.events.find((e) => e.kind === 'alarm' && e.pt === 'fire_alarm')!;
  const platform = await mqtt.connectAsync(broker.url);
  t.teardown(() => platform.endAsync());
  await platform.publishAsync(`${PREFIX}/mx-no-receipt/ack`, JSON.stringify({ v: 1, ...sealEnvelope({ v: 1, gw: 'mx-no-receipt', ids: [alarm.id] }, centre.privateKey, centre.kid) }), { qos: 1 });
  await waitFor(() => r.events.some((e) => e.kind === 'restore' && e.pt === 'alarm-receipt'), DELIVERY_MS);
  await waitFor(() => !r.faultLed(), 2000);
  t.notOk(r.daemon.desk.receiptState().fault, 'confirmed: the fault is over');
});
