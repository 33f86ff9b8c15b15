import { Type } from '@sinclair/typebox';
import { idSchema, integer, object, oneOfStrings, POINT_NAME_PATTERN } from './common.js';
import { Defaulted } from './defaulted.js';

/** Schema of the `maintenance` section: device commands run on a schedule (the monthly leakage self-test). */

export const maintenanceTaskSchema = object('A device command run on a schedule, e.g. the monthly leakage self-test of a breaker.', {
  name: idSchema('Task name, as the report, the log and its faults show it.'),
  device: idSchema('A Modbus device (devices[].id).'),
  command: Type.String({ pattern: POINT_NAME_PATTERN, description: "A command of the device's profile marked fromRules (runs unattended), e.g. self_test." }),
  every: oneOfStrings('How often: day, week or month.', ['day', 'week', 'month']),
  day: Type.Optional(integer('week: the weekday (0 = Sunday ... 6); month: the day of the month (1-28). Default: Sunday, the 1st.', 0, 28)),
  at: Defaulted(
    Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: "Local time of the gateway, HH:MM, at a quiet hour. Default '03:00'." }),
    '03:00',
  ),
  graceHours: Defaulted(
    integer('The task is overdue (a fault) when it has not passed for its interval plus this long (a run postponed by alarms, a gateway that was off). Default 48.', 1, 720),
    48,
  ),
});

export const maintenanceSchema = Defaulted(
  Type.Array(maintenanceTaskSchema, { description: 'Scheduled device commands: never during an alarm; results go upstream, failures and overdue tasks are faults.' }),
  [],
);
