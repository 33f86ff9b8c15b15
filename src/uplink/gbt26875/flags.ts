/**
 * The status and operation bit fields of GB/T 26875.3 as objects with named flags. Bit 0 of a
 * state is "normal operation" (1) versus "test state" (0), so an all-zero state means *test*, not
 * quiet: the constructors below start from normal. Reserved bits are sent as 0 and ignored when read.
 */

/** Building fire facility system state (§8.2.1.1 figure 6), 2 bytes. */
export interface SystemStatus {
  /** bit 0: 1 normal operation, 0 test state */
  normal: boolean;
  fire: boolean;
  fault: boolean;
  /** bit 3 屏蔽: disabled (shielded) */
  disabled: boolean;
  /** bit 4 监管: supervisory signal */
  supervisory: boolean;
  /** bit 5 启动(开启): activated; 0 stopped (closed) */
  activated: boolean;
  feedback: boolean;
  /** bit 7 延时: in a delay */
  delayed: boolean;
  mainPowerFault: boolean;
  backupPowerFault: boolean;
  busFault: boolean;
  /** bit 11: 1 manual mode, 0 automatic */
  manualMode: boolean;
  configurationChanged: boolean;
  /** bit 13 复位. Figure 6 prints "=1 reset, =1 normal"; the second must be 0. */
  reset: boolean;
}
const SYSTEM_BITS = ['normal', 'fire', 'fault', 'disabled', 'supervisory', 'activated', 'feedback', 'delayed', 'mainPowerFault', 'backupPowerFault', 'busFault', 'manualMode', 'configurationChanged', 'reset'] as const;

/** Building fire facility component state (§8.2.1.2 figure 7), 2 bytes; bits 9–15 reserved. */
export interface ComponentStatus {
  /** bit 0: 1 normal operation, 0 test state */
  normal: boolean;
  fire: boolean;
  fault: boolean;
  disabled: boolean;
  supervisory: boolean;
  activated: boolean;
  feedback: boolean;
  delayed: boolean;
  /** bit 8 电源故障 */
  powerFault: boolean;
}
const COMPONENT_BITS = ['normal', 'fire', 'fault', 'disabled', 'supervisory', 'activated', 'feedback', 'delayed', 'powerFault'] as const;

/** User information transmission device running state (§8.2.1.8 figure 13), 1 byte; bit 7 reserved. */
export interface DeviceStatus {
  /** bit 0: 1 normal monitoring, 0 test state */
  normal: boolean;
  fire: boolean;
  fault: boolean;
  mainPowerFault: boolean;
  backupPowerFault: boolean;
  /** bit 5: the communication channel to the monitoring centre is faulty */
  communicationFault: boolean;
  /** bit 6: the line to the monitored facilities (监测连接线路) is faulty */
  monitoringLinkFault: boolean;
}
const DEVICE_BITS = ['normal', 'fire', 'fault', 'mainPowerFault', 'backupPowerFault', 'communicationFault', 'monitoringLinkFault'] as const;

/** Operation flags of a building fire facility (§8.2.1.4 figure 9), 1 byte; bit 7 reserved. */
export interface SystemOperationFlags {
  reset: boolean;
  silence: boolean;
  manualAlarm: boolean;
  /** bit 3 警情消除 */
  alarmCleared: boolean;
  selfTest: boolean;
  /** bit 5 确认 */
  acknowledge: boolean;
  test: boolean;
}
const SYSTEM_OPERATION_BITS = ['reset', 'silence', 'manualAlarm', 'alarmCleared', 'selfTest', 'acknowledge', 'test'] as const;

/** Operation flags of the transmission device (§8.2.1.9 figure 14), 1 byte; bit 7 reserved. */
export interface DeviceOperationFlags {
  reset: boolean;
  silence: boolean;
  manualAlarm: boolean;
  alarmCleared: boolean;
  selfTest: boolean;
  /** bit 5 查岗应答: answer to the centre's duty check (type 91) */
  dutyCheckAnswer: boolean;
  test: boolean;
}
const DEVICE_OPERATION_BITS = ['reset', 'silence', 'manualAlarm', 'alarmCleared', 'selfTest', 'dutyCheckAnswer', 'test'] as const;

function toBits<K extends string>(names: readonly K[], flags: Readonly<Record<K, boolean>>): number {
  let v = 0;
  names.forEach((name, bit) => {
    if (flags[name]) v |= 1 << bit;
  });
  return v;
}

function fromBits<K extends string>(names: readonly K[], value: number): Record<K, boolean> {
  const flags = {} as Record<K, boolean>;
  names.forEach((name, bit) => {
    flags[name] = (value & (1 << bit)) !== 0;
  });
  return flags;
}

/** Every flag false except `normal` (bit 0 of a state), then the ones given. */
function withDefaults<K extends string>(names: readonly K[], set: Partial<Record<K, boolean>>): Record<K, boolean> {
  const flags = {} as Record<K, boolean>;
  for (const name of names) flags[name] = set[name] ?? name === 'normal';
  return flags;
}

export const systemStatus = (set: Partial<SystemStatus> = {}): SystemStatus => withDefaults(SYSTEM_BITS, set);
export const componentStatus = (set: Partial<ComponentStatus> = {}): ComponentStatus => withDefaults(COMPONENT_BITS, set);
export const deviceStatus = (set: Partial<DeviceStatus> = {}): DeviceStatus => withDefaults(DEVICE_BITS, set);
export const systemOperation = (set: Partial<SystemOperationFlags> = {}): SystemOperationFlags => withDefaults(SYSTEM_OPERATION_BITS, set);
export const deviceOperation = (set: Partial<DeviceOperationFlags> = {}): DeviceOperationFlags => withDefaults(DEVICE_OPERATION_BITS, set);

export const encodeSystemStatus = (s: SystemStatus): number => toBits(SYSTEM_BITS, s);
export const decodeSystemStatus = (v: number): SystemStatus => fromBits(SYSTEM_BITS, v);
export const encodeComponentStatus = (s: ComponentStatus): number => toBits(COMPONENT_BITS, s);
export const decodeComponentStatus = (v: number): ComponentStatus => fromBits(COMPONENT_BITS, v);
export const encodeDeviceStatus = (s: DeviceStatus): number => toBits(DEVICE_BITS, s);
export const decodeDeviceStatus = (v: number): DeviceStatus => fromBits(DEVICE_BITS, v);
export const encodeSystemOperation = (s: SystemOperationFlags): number => toBits(SYSTEM_OPERATION_BITS, s);
export const decodeSystemOperation = (v: number): SystemOperationFlags => fromBits(SYSTEM_OPERATION_BITS, v);
export const encodeDeviceOperation = (s: DeviceOperationFlags): number => toBits(DEVICE_OPERATION_BITS, s);
export const decodeDeviceOperation = (v: number): DeviceOperationFlags => fromBits(DEVICE_OPERATION_BITS, v);

/** Names of the flags set, for logs and the simulator ("fire, mainPowerFault"). */
export function setFlags(flags: object): string[] {
  return Object.entries(flags)
    .filter(([, on]) => on === true)
    .map(([name]) => name);
}
