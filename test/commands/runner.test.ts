import t, { type Test } from 'tap';
import { checkParams } from '../../drivers/modbus/command-request.js';
import { readPoint, runCommand, type CommandTarget } from '../../drivers/modbus/command-runner.js';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import type { ModbusBus } from '../../src/bus/modbus/types.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus, type PymodbusServer } from '../helpers/pymodbus.js';
import { createPtyPair } from '../helpers/socat.js';
import { breakerField, breakerProfile } from './field.js';

const profile = breakerProfile();
const command = (name: string) => profile.commands.find((c) => c.name === name)!;

/**
 * Profile commands against pymodbus playing the breaker: its contact follows the remote switch,
 * the leakage test trips it. The same checks over Modbus TCP and over RTU on a socat pty pair.
 */
async function suite(t: Test, bus: ModbusBus, server: PymodbusServer, unit: number): Promise<void> {
  const target: CommandTarget = { bus, unit, profile };
  t.equal(await readPoint(target, 'breaker_closed'), true, 'starts closed');
  t.equal(await readPoint(target, 'voltage'), 230, 'read-back reads scale like readings');

  const trip = await runCommand(target, command('trip'), {});
  t.match(trip, { result: 'confirmed', ok: true, attempts: 1, readBack: { point: 'breaker_closed', expected: false, value: false } }, 'trip (function 05), confirmed by the contact');

  const close = await runCommand(target, command('close'), {});
  t.match(close, { result: 'confirmed', readBack: { value: true } }, 'close confirmed');

  const test = await runCommand(target, command('self_test'), {});
  t.match(test, { result: 'confirmed', readBack: { value: false } }, 'the leakage test trips the breaker');

  const setting = await runCommand(target, command('set_leakage_setting'), checkParams(command('set_leakage_setting'), { milliamps: 25 }));
  t.match(setting, { result: 'confirmed', readBack: { point: 'leakage_setting', value: 25 } }, 'a parameter written (function 06) and read back');

  const forced = { ...command('set_leakage_setting'), write: { ...command('set_leakage_setting').write, function: 16 as const } };
  t.match(await runCommand(target, forced, { milliamps: 40 }), { result: 'confirmed', readBack: { value: 40 } }, 'the same through function 16');
  const block = { ...command('reset_alarm'), write: { area: 'coil' as const, address: 10, values: [true, false, true] } };
  t.match(await runCommand(target, block, {}), { result: 'written' }, 'a block of coils (function 15)');
  t.same(await bus.request({ op: 'read', unit, area: 'coil', address: 10, count: 3 }), { bits: [true, false, true] }, 'the device holds what was written');

  // Busy (exception 06): not carried out; tried again and then done.
  await server.command(`busy ${unit} 2`);
  const busy = await runCommand(target, command('close'), {}, { busyRetryMs: 100 });
  t.match(busy, { result: 'confirmed', attempts: 3 }, 'busy twice, carried out at the third try');

  // Acknowledge (exception 05): carried out, still working; the read-back decides.
  await server.command(`ack ${unit} 1`);
  t.match(await runCommand(target, command('trip'), {}), { result: 'confirmed', attempts: 1, readBack: { value: false } }, 'acknowledged, then confirmed by read-back');
  t.match(await runCommand(target, command('close'), {}), { result: 'confirmed' });

  // A stuck mechanism: written, but the contact never shows it.
  await server.command(`unlink ${unit}`);
  const stuck = await runCommand(target, { ...command('trip'), confirm: { point: 'breaker_closed', equals: false, withinMs: 600 } }, {});
  t.match(stuck, { result: 'not_confirmed', ok: false, readBack: { expected: false, value: true } }, 'no read-back within the limit: not confirmed');
  t.match(stuck.detail, /breaker_closed shows true after 600 ms, expected false/);

  // An address the device does not have: its exception is the answer, not retried.
  const refused = await runCommand(target, { ...command('reset_alarm'), write: { area: 'coil', address: 500, value: true } }, {});
  t.match(refused, { result: 'refused', ok: false, attempts: 1 }, 'exception 02: refused');

  // A dead device: a pulse is not retried; an idempotent command is (the bus's retries).
  await server.command(`mute ${unit}`);
  const pulse = await runCommand(target, { ...command('self_test'), confirm: { point: 'breaker_closed', equals: false, withinMs: 500 } }, {});
  t.match(pulse, { result: 'no_answer', attempts: 1 }, 'no answer to a pulse');
  t.match(pulse.detail, /not retried: the command is not idempotent/);
  const before = bus.counters().perUnit.get(unit)?.retries ?? 0;
  t.match(await runCommand(target, command('trip'), {}), { result: 'no_answer' });
  t.equal((bus.counters().perUnit.get(unit)?.retries ?? 0) - before, 1, 'the idempotent trip was retried by the bus');
  await server.command(`unmute ${unit}`);
}

t.test('Modbus TCP (pymodbus)', async (t) => {
  const port = await freePort();
  const field = breakerField(3);
  const server = await startPymodbus({ mode: 'tcp', port, units: [3], ...field });
  t.teardown(() => server.stop());
  const bus = createModbusBus({ id: 'tcp', type: 'modbus-tcp', host: '127.0.0.1', port, timeoutMs: 300, retries: 1 });
  t.teardown(() => bus.close());
  await bus.open();
  await suite(t, bus, server, 3);
});

t.test('Modbus RTU on a serial line (socat pty pair, pymodbus)', async (t) => {
  const pty = await createPtyPair('cmd');
  t.teardown(() => pty.close());
  const field = breakerField(9);
  const server = await startPymodbus({ mode: 'rtu', device: pty.b, baud: 19200, units: [9], ...field });
  t.teardown(() => server.stop());
  const bus = createModbusBus({ id: 'rtu', type: 'modbus-rtu', port: pty.a, baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 300, retries: 1 });
  t.teardown(() => bus.close());
  await bus.open();
  await suite(t, bus, server, 9);
});
