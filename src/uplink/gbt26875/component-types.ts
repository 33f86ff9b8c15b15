/**
 * Component types (§8.2.1.2 table 5) for the devices hearth reads, and the default for each profile
 * `kind`. The table has no type for a tag reader or a bare contact; those default to "general" (0)
 * and "input module" (85) and can be set per device.
 */
export const ComponentType = {
  general: 0,
  fireAlarmController: 1,
  combustibleGasDetector: 10,
  pointCombustibleGasDetector: 11,
  /** 电气火灾监控报警器 */
  electricalFireMonitor: 16,
  /** 剩余电流式电气火灾监控探测器 */
  residualCurrentDetector: 17,
  /** 测温式电气火灾监控探测器 */
  temperatureElectricalFireDetector: 18,
  manualCallPoint: 23,
  fireDetector: 25,
  heatDetector: 30,
  pointHeatDetector: 31,
  smokeDetector: 40,
  pointIonisationSmokeDetector: 41,
  pointPhotoelectricSmokeDetector: 42,
  beamSmokeDetector: 43,
  aspiratingSmokeDetector: 44,
  smokeHeatDetector: 51,
  inputModule: 85,
  outputModule: 86,
  inputOutputModule: 87,
  /** 警报装置: sirens, sounders */
  alarmDevice: 121,
} as const;

/** Profile `kind` → component type. Kinds are free words (drivers/modbus/profile-schema.ts). */
export const COMPONENT_TYPE_BY_KIND: Readonly<Record<string, number>> = {
  smoke: ComponentType.smokeDetector,
  'smoke-photoelectric': ComponentType.pointPhotoelectricSmokeDetector,
  'smoke-ionisation': ComponentType.pointIonisationSmokeDetector,
  'smoke-beam': ComponentType.beamSmokeDetector,
  'smoke-aspirating': ComponentType.aspiratingSmokeDetector,
  'smoke-heat': ComponentType.smokeHeatDetector,
  heat: ComponentType.heatDetector,
  'heat-point': ComponentType.pointHeatDetector,
  'residual-current': ComponentType.residualCurrentDetector,
  // A smart leakage breaker measures and reports residual current: table 5 has no breaker.
  'leakage-breaker': ComponentType.residualCurrentDetector,
  temperature: ComponentType.temperatureElectricalFireDetector,
  'electrical-fire': ComponentType.electricalFireMonitor,
  gas: ComponentType.combustibleGasDetector,
  'gas-point': ComponentType.pointCombustibleGasDetector,
  'manual-call-point': ComponentType.manualCallPoint,
  io: ComponentType.inputOutputModule,
  input: ComponentType.inputModule,
  output: ComponentType.outputModule,
  sounder: ComponentType.alarmDevice,
};

export function componentTypeForKind(kind: string | undefined): number {
  return kind !== undefined && Object.hasOwn(COMPONENT_TYPE_BY_KIND, kind) ? COMPONENT_TYPE_BY_KIND[kind]! : ComponentType.general;
}
