import { deviceOperation, systemOperation, type DeviceOperationFlags } from './flags.js';
import { componentOf, type Gbt26875Site } from './site.js';
import type { UploadUnit } from './units.js';

/**
 * What people do at the gateway, as operation records. The transmission device's operations
 * (§8.2.1.9 figure 14, type 24) have reset, silence, manual alarm, alarm cleared, self-test,
 * duty-check answer and test, but no acknowledgement: an acknowledgement goes as an operation of the
 * building fire facility (§8.2.1.4 figure 9, type 4, bit 5 确认) on the device's system, since hearth
 * is also the panel its detectors report to.
 */
export type GatewayOperation = 'reset' | 'silence' | 'manual-alarm' | 'alarm-cleared' | 'self-test' | 'duty-check-answer' | 'test' | 'acknowledge';

const DEVICE_FLAG: Readonly<Record<Exclude<GatewayOperation, 'acknowledge'>, keyof DeviceOperationFlags>> = {
  reset: 'reset',
  silence: 'silence',
  'manual-alarm': 'manualAlarm',
  'alarm-cleared': 'alarmCleared',
  'self-test': 'selfTest',
  'duty-check-answer': 'dutyCheckAnswer',
  test: 'test',
};

export interface OperationOptions {
  /** Operator number (1 byte, "defined by the user"); default 0. */
  operator?: number;
  /** The device the operation was about (an acknowledged alarm's device): its system is named. */
  deviceId?: string;
}

export function operationUnit(operation: GatewayOperation, site: Gbt26875Site, time: Date, options: OperationOptions = {}): UploadUnit {
  const operator = options.operator ?? 0;
  if (operation === 'acknowledge') {
    const system = options.deviceId === undefined ? site.system : componentOf(site, options.deviceId, {}).system;
    return { type: 4, operations: [{ system, flags: systemOperation({ acknowledge: true }), operator, time }] };
  }
  return { type: 24, operations: [{ flags: deviceOperation({ [DEVICE_FLAG[operation]]: true }), operator, time }] };
}
