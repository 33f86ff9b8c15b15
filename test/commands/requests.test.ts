import t from 'tap';
import { checkParams, commandRequest, CommandParamsError, expectedReadBack } from '../../drivers/modbus/command-request.js';
import type { CommandDef } from '../../drivers/modbus/profile-types.js';
import { breakerProfile } from './field.js';

const base: Omit<CommandDef, 'write'> = { name: 'c', params: [], safety: false, fromRules: false, idempotent: false, urgent: false };

t.test('the function code follows the write: 05 one coil, 15 coils, 06 one register, 16 registers or when named', async (t) => {
  const req = (write: CommandDef['write'], params: CommandDef['params'] = [], given: Record<string, number> = {}) =>
    commandRequest({ ...base, write, params }, 7, given);
  t.same(req({ area: 'coil', address: 0, value: false }), { op: 'writeCoil', unit: 7, address: 0, value: false });
  t.same(req({ area: 'coil', address: 3, values: [true, false, true] }), { op: 'writeCoils', unit: 7, address: 3, values: [true, false, true] });
  t.same(req({ area: 'coil', address: 3, value: true, function: 15 }), { op: 'writeCoils', unit: 7, address: 3, values: [true] });
  t.same(req({ area: 'holding', address: 16, value: 5 }), { op: 'writeRegister', unit: 7, address: 16, value: 5 });
  t.same(req({ area: 'holding', address: 16, values: [1, 2] }), { op: 'writeRegisters', unit: 7, address: 16, values: [1, 2] });
  t.same(req({ area: 'holding', address: 16, value: 5, function: 16 }), { op: 'writeRegisters', unit: 7, address: 16, values: [5] });
  const scaled = [{ name: 'amps', min: -10, max: 10, scale: 0.01 }];
  t.same(req({ area: 'holding', address: 2, param: 'amps' }, scaled, { amps: 2.5 }), { op: 'writeRegister', unit: 7, address: 2, value: 250 });
  t.same(req({ area: 'holding', address: 2, param: 'amps' }, scaled, { amps: -1 }), { op: 'writeRegister', unit: 7, address: 2, value: 0xff9c }, 'negative: two\'s complement');
});

t.test('parameters: required, numeric, in range, nothing unknown', async (t) => {
  const cmd = breakerProfile().commands.find((c) => c.name === 'set_leakage_setting')!;
  t.same(checkParams(cmd, { milliamps: '25' }), { milliamps: 25 }, 'a number given as text (the CLI) is accepted');
  const code = (given: Record<string, unknown>) => {
    try {
      checkParams(cmd, given);
      return 'accepted';
    } catch (err) {
      return err instanceof CommandParamsError ? `${err.code}: ${err.message}` : 'other';
    }
  };
  t.match(code({}), /COMMAND_PARAMS: .*'milliamps' is required \(10-100 mA\)/);
  t.match(code({ milliamps: 5 }), /must be 10-100 mA, got 5/);
  t.match(code({ milliamps: 'lots' }), /must be a number/);
  t.match(code({ milliamps: 20, miliamps: 20 }), /unknown parameter 'miliamps'/);
  t.equal(expectedReadBack(cmd, { milliamps: 25 }), 25, 'read-back of a parameter: the value written');
  t.equal(expectedReadBack(breakerProfile().commands.find((c) => c.name === 'trip')!, {}), false);
});
