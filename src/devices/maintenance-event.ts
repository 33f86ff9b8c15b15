import type { MaintenanceTask } from '../config/io-types.js';
import type { GatewayEvent } from '../model/event.js';
import { buildEvent, type EventStamp } from '../model/event-factory.js';
import type { Location } from '../model/location.js';
import type { DeviceCommandResult } from './device-commands.js';

/**
 * A maintenance run as an event of its device, kind `test`: the platform sees every scheduled
 * self-test and its result (point = the command, value = the result). A failed run is raised as a
 * fault beside it by the schedule.
 */
export function maintenanceEvent(stamp: EventStamp, device: { id: string; location: Location }, task: MaintenanceTask, result: DeviceCommandResult, by: string): GatewayEvent {
  const how = result.readBack?.value !== undefined ? ` (${result.readBack.point} ${String(result.readBack.value)})` : '';
  return buildEvent(stamp, device, {
    kind: 'test',
    severity: result.ok ? 'info' : 'major',
    point: task.command,
    value: result.result,
    message: `maintenance ${task.name}: ${task.command} ${result.result.replace('_', ' ')}${how}, by ${by}`,
  });
}
