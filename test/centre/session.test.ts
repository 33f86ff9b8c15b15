import t from 'tap';
import { Command, decodeUnit, type UnitOf } from '../../src/uplink/gbt26875/index.js';
import { waitFor } from '../helpers/net.js';
import { fault, fireAlarm, reading } from '../outbox/fixtures.js';
import { GATEWAY_ADDRESS, rig } from './harness.js';

t.test('a fire alarm reaches the centre decoded, and leaves the centre\'s part of the outbox only on its confirm', async (t) => {
  const r = await rig(t);
  r.session.start();
  const hello = await r.sim.waitFor((f) => f.unit?.type === 21, 5000, 'device state at connect');
  t.equal(hello.frame.source, GATEWAY_ADDRESS, 'from the configured source address');
  t.match(hello.text, /transmission device state \(21\): normal/);

  const alarm = fireAlarm(1, { deviceId: 'smoke-1' });
  r.active.push(alarm);
  r.outbox.appendEvent(alarm);
  r.outbox.appendReading(reading(2));
  const got = await r.sim.waitFor((f) => f.unit?.type === 2, 5000, 'the fire alarm');
  const unit = got.unit as UnitOf<2>;
  t.equal(unit.components[0]!.componentType, 40, 'a smoke detector (table 5: 40)');
  t.equal(unit.components[0]!.address, 1 * 65536 + 3, 'loop 1 (the first bus), point 3 (its unit id)');
  t.equal(unit.components[0]!.description, '2F corridor smoke');
  t.ok(unit.components[0]!.status.fire && unit.components[0]!.status.normal, 'fire, not a test state');
  t.match(got.text, /component state \(2\): component type 40 at loop 1 point 3 "2F corridor smoke": fire/);
  const system = await r.sim.waitFor((f) => f.unit?.type === 1, 5000, 'the system state');
  t.ok((system.unit as UnitOf<1>).states[0]!.status.fire, 'the fire alarm system is in fire alarm');
  await waitFor(() => r.outbox.stats().destinations?.centre?.depth.fire === 0, 5000);
  t.same(r.receipts, [alarm.id], "the centre's confirm is the fire alarm's receipt");
  t.equal(r.outbox.stats().destinations?.platform?.depth.fire, 1, 'the platform still waits for it: each destination confirms on its own');
  t.equal(r.sim.received.filter((f) => f.unit?.type === 3).length, 0, 'readings are not for this centre');
  const s = r.session.state();
  t.equal(s.counters.recordsDelivered, 1);
  t.ok(s.connected);
});

t.test('a deny parks the record for this centre only; the next record still goes', async (t) => {
  const r = await rig(t, { sim: { mode: 'deny' } });
  r.session.start();
  await r.sim.waitFor((f) => f.unit?.type === 21, 5000);
  r.outbox.appendEvent(fault(1, { deviceId: 'rcd-1', id: 'denied' }));
  await waitFor(() => (r.outbox.stats().destinations?.centre?.parked ?? 0) >= 1, 5000);
  t.ok(r.session.state().counters.recordsParked >= 1, 'the denied record, and the fault event saying so (denied too), are parked for the centre');
  t.equal(r.outbox.stats().destinations?.platform?.parked, 0, 'not parked for the platform');
  r.sim.setMode('confirm');
  r.outbox.appendEvent(fault(2, { deviceId: 'rcd-1', id: 'next' }));
  await waitFor(() => r.session.state().counters.recordsDelivered >= 1, 5000);
  t.pass('the queue is not blocked by the denied record');
});

t.test('no confirm: the same frame is sent again (same serial number) up to 3 times, then the connection is made again', async (t) => {
  const r = await rig(t, { sim: { mode: 'drop' }, centre: { confirmTimeoutMs: 150 } });
  r.session.start();
  r.outbox.appendEvent(fault(1, { deviceId: 'rcd-1' }));
  await waitFor(() => r.session.state().counters.confirmTimeouts >= 1, 10_000);
  const sends = r.sim.received.filter((f) => f.unit?.type === 2);
  const serial = sends[0]!.frame.serial;
  t.same(
    sends.slice(0, 4).map((f) => [f.frame.serial, f.resend]),
    [
      [serial, false],
      [serial, true],
      [serial, true],
      [serial, true],
    ],
    'first send and 3 resends, one serial number',
  );
  t.equal(r.session.state().counters.resends >= 3, true);
  r.sim.setMode('confirm');
  await waitFor(() => r.outbox.stats().destinations?.centre?.depth.events === 0, 10_000);
  t.ok(r.session.state().connects >= 2, 'delivered on a new connection');
  const again = r.sim.received.filter((f) => f.unit?.type === 2).at(-1)!;
  t.equal(again.frame.serial, serial, 'the record keeps its serial number on the new connection (derived from its outbox row)');
});

t.test("the centre's reads are answered; what the site does not have is denied", async (t) => {
  const r = await rig(t);
  r.session.start();
  await r.sim.waitFor((f) => f.unit?.type === 21, 5000);
  const alarm = fireAlarm(1, { deviceId: 'smoke-1' });
  r.active.push(alarm);
  const state = await r.sim.ask({ type: 81 });
  t.equal(state?.command, Command.reply);
  const s21 = decodeUnit(state!.data) as UnitOf<21>;
  t.ok(s21.type === 21 && s21.state.status.fire, 'device state: fire while a fire alarm is raised');
  const comp = await r.sim.ask({ type: 62, components: [{ system: { type: 1, address: 1 }, address: 65536 + 3 }] });
  const s2 = decodeUnit(comp!.data) as UnitOf<2>;
  t.ok(s2.components[0]!.status.fire, 'component state of the smoke detector');
  const none = await r.sim.ask({ type: 62, components: [{ system: { type: 1, address: 1 }, address: 99 }] });
  t.equal(none?.command, Command.deny, 'no such component: denied');
  const version = await r.sim.ask({ type: 85 });
  t.same(decodeUnit(version!.data), { type: 25, version: { major: 1, minor: 4 } });
  const time = await r.sim.ask({ type: 88 });
  const t28 = decodeUnit(time!.data) as UnitOf<28>;
  t.ok(Math.abs(t28.time.getTime() - Date.now()) < 5000, 'device time: now');
  t.equal(r.session.state().counters.readsAnswered, 4);
  t.equal(r.session.state().counters.readsDenied, 1);
});

t.test('controls: clock sync adopted and audited, duty check shown until answered on site, initialise resends the state', async (t) => {
  const adopted: number[] = [];
  const r = await rig(t, { session: { adoptTime: (ms) => (adopted.push(ms), { applied: true, offsetMs: 1234 }) } });
  r.session.start();
  await r.sim.waitFor((f) => f.unit?.type === 21, 5000);
  const centreTime = new Date(Date.UTC(2026, 11, 4, 12, 0, 0));
  const sync = await r.sim.ask({ type: 90, time: centreTime });
  t.equal(sync?.command, Command.confirm);
  t.same(adopted, [centreTime.getTime()], "the centre's time is taken");
  t.match(r.session.state().clockSync, { centreTime: centreTime.getTime(), applied: true, offsetMs: 1234 });
  t.match(r.audit.at(-1), { command: 'clock_sync', by: 'centre:centre', outcome: 'done' });

  t.notOk(r.session.answerDutyCheck('nobody'), 'no duty check yet');
  const duty = await r.sim.ask({ type: 91, timeoutMinutes: 5 });
  t.equal(duty?.command, Command.confirm, 'received');
  t.match(r.session.state().dutyCheck, { state: 'waiting', timeoutMinutes: 5 });
  await new Promise((res) => setTimeout(res, 200));
  t.equal(r.sim.received.filter((f) => f.unit?.type === 24).length, 0, 'the gateway does not answer by itself');
  t.ok(r.session.answerDutyCheck('installer'), 'someone on site answers');
  const answer = await r.sim.waitFor((f) => f.unit?.type === 24, 5000, 'the duty-check answer');
  t.ok((answer.unit as UnitOf<24>).operations[0]!.flags.dutyCheckAnswer, 'type 24, duty-check answer bit');
  t.match(r.session.state().dutyCheck, { state: 'answered', answeredBy: 'installer' });
  t.match(r.audit.at(-1), { command: 'duty_check_answer', by: 'installer', outcome: 'done' });

  const before = r.sim.received.filter((f) => f.unit?.type === 21).length;
  const init = await r.sim.ask({ type: 89 });
  t.equal(init?.command, Command.confirm);
  await waitFor(() => r.sim.received.filter((f) => f.unit?.type === 21).length > before, 5000);
  t.pass('initialise: the device state is sent again');
});

t.test('operations at the gateway go to the centre (acknowledge as type 4, silence as type 24) and can be read back', async (t) => {
  const r = await rig(t);
  r.session.reportOperation('acknowledge', 'smoke-1');
  r.session.start();
  const ack = await r.sim.waitFor((f) => f.unit?.type === 4, 5000, 'the acknowledgement, held until connected');
  t.ok((ack.unit as UnitOf<4>).operations[0]!.flags.acknowledge);
  r.session.reportOperation('silence');
  await r.sim.waitFor((f) => f.unit?.type === 24, 5000, 'the silence');
  const ops = await r.sim.ask({ type: 84, query: { count: 10, from: new Date(Date.now() - 60_000) } });
  t.equal(ops?.command, Command.reply);
  t.ok((decodeUnit(ops!.data) as UnitOf<24>).operations[0]!.flags.silence, 'read back (84)');
});
