import { createServer } from 'node:net';
import t from 'tap';
import { ChardevGpioBackend } from '../../../src/bus/gpio/chardev-backend.js';
import type { Clock } from '../../../src/clock/clock.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { fakeGpiod } from '../../helpers/fake-gpiod.js';
import { DELIVERY_MS, matrixField, startRig, type Rig, type Tap } from './harness.js';

/**
 * Fault matrix, field and host (docs/alarm-path.md):
 *   - gpiomon killed (character-device backend, fake libgpiod tools as on a Pi without sysfs GPIO)
 *   - a dead RS-485 bus beside the live one
 *   - the wall clock stepping back and forth (NTP correcting a Pi without an RTC)
 *   - the console's port taken by another program
 * In each, the detector's fire alarm sounds the siren and reaches the platform within 10 s.
 */
const world = await matrixField(t, { units: 8, broker: true });
const { slave, slavePort, nextUnit } = world;
const broker = world.broker!;

async function alarmStillWorks(t: Tap, r: Rig): Promise<void> {
  const raised = await r.raiseSmoke();
  t.pass(`siren sounded ${Math.round(await r.sirenWithin(raised))} ms after the detector changed`);
  const ms = await r.alarmAtPlatformWithin(raised);
  t.ok(ms <= DELIVERY_MS, `fire alarm at the platform after ${Math.round(ms)} ms`);
}

t.test('gpiomon killed: the contact is a fault until it is watched again; the detector still sounds the siren', async (t) => {
  const fake = fakeGpiod(t, '2.1.3');
  const file = fake.file;
  const gpio = await ChardevGpioBackend.open({ env: fake.env, restart: { minMs: 200, maxMs: 1000, settleMs: 200, stableMs: 10_000 } });
  t.teardown(() => gpio.close());
  const r = await startRig(t, {
    id: 'mx-gpiomon',
    unit: nextUnit(),
    slave,
    slavePort,
    brokerUrl: broker.url,
    gpioBackend: gpio,
    sirenLevel: () => file('level-22') === '1',
    gpioYaml: `  inputs:
    - { id: relay-boiler, pin: 17, debounceMs: 0, point: fire_alarm, location: { building: Matrix block, floor: basement, room: boiler room } }`,
  });
  await waitFor(() => file('gpiomon.pid') !== undefined, 10_000);
  process.kill(Number(file('gpiomon.pid')), 'SIGKILL');
  await waitFor(() => r.events.some((e) => e.kind === 'fault' && e.dev === 'relay-boiler' && e.pt === 'line'), DELIVERY_MS);
  await alarmStillWorks(t, r);
  await waitFor(() => r.events.some((e) => e.kind === 'restore' && e.dev === 'relay-boiler' && e.pt === 'line'), DELIVERY_MS);
  fake.event('17 2'); // the boiler-room contact closes (falling edge)
  await waitFor(() => r.events.some((e) => e.kind === 'alarm' && e.dev === 'relay-boiler'), DELIVERY_MS);
  t.pass('the contact is watched again: its alarm arrives');
});

t.test('a dead bus beside the live one: its detector goes offline (a fault), the live detector sounds and is sent', async (t) => {
  const deadPort = await freePort(); // nobody listens
  const r = await startRig(t, {
    id: 'mx-dead-bus',
    unit: nextUnit(),
    slave,
    slavePort,
    brokerUrl: broker.url,
    busesYaml: `  - { id: dead-line, type: modbus-tcp, host: 127.0.0.1, port: ${deadPort}, timeoutMs: 200 }`,
    devicesYaml: `  - { id: smoke-cellar, profile: example-smoke-detector, bus: dead-line, address: 1, pollIntervalMs: 200, offline: { afterPolls: 2, afterMs: 3000 }, location: { building: Matrix block, floor: basement, room: cellar } }`,
  });
  await alarmStillWorks(t, r);
  await waitFor(() => r.events.some((e) => e.kind === 'offline' && e.dev === 'smoke-cellar'), DELIVERY_MS);
  t.ok(r.faultLed(), 'the fault indicator shows the offline detector');
});

t.test('the wall clock steps back 2 h and forward 3 h: alarms sound, are sent, and keep their order', async (t) => {
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset, mono: () => performance.now(), synced: () => true };
  const r = await startRig(t, { id: 'mx-clock', unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, clock });
  offset = -2 * 3600_000;
  await alarmStillWorks(t, r);
  await r.clearSmoke();
  await waitFor(() => r.events.some((e) => e.kind === 'restore' && e.pt === 'fire_alarm'), DELIVERY_MS);
  offset = 3600_000;
  await new Promise((res) => setTimeout(res, 500));
  const before = r.events.length;
  await r.raiseSmoke();
  await waitFor(() => r.events.slice(before).some((e) => e.kind === 'alarm' && e.pt === 'fire_alarm'), DELIVERY_MS);
  const seqs = r.events.filter((e) => e.pt === 'fire_alarm').map((e) => e.seq as number);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'sequence numbers increase whatever the wall clock did');
  t.equal(seqs.length, 3, 'alarm, restore, alarm');
});

t.test("the console's port is taken: the gateway runs without it, says so upstream, sounds and sends", async (t) => {
  const squatter = createServer();
  await new Promise<void>((res) => squatter.listen(0, '127.0.0.1', () => res()));
  t.teardown(() => new Promise<void>((res) => squatter.close(() => res())));
  const port = (squatter.address() as { port: number }).port;
  const r = await startRig(t, { id: 'mx-api-port', unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, apiYaml: `{ enabled: true, host: 127.0.0.1, port: ${port} }` });
  await alarmStillWorks(t, r);
  await waitFor(() => r.events.some((e) => e.kind === 'fault' && e.pt === 'api'), DELIVERY_MS);
  t.match(r.events.find((e) => e.pt === 'api')!.msg, new RegExp(String(port)));
});
