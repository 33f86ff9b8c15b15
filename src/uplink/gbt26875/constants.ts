/**
 * Numbers GB/T 26875.3-2011 gives names to. Section numbers refer to that standard.
 */

/** Start marker '@@' (§6.6 table 1: "fixed value 64, 64"). */
export const START_BYTE = 0x40;
/** End marker '##' (§6.6 table 1: "fixed value 35, 35", decimal: 0x23, not 0x35). */
export const END_BYTE = 0x23;
/** Start (2) + control unit (25): the application data starts here. */
export const HEADER_BYTES = 27;
/** Checksum (1) + end marker (2). */
export const TRAILER_BYTES = 3;
/** §6.6 table 1: the application data unit "shall not be longer than 1024". */
export const MAX_DATA_BYTES = 1024;
/** The longest frame there can be. */
export const MAX_FRAME_BYTES = HEADER_BYTES + MAX_DATA_BYTES + TRAILER_BYTES;

/** Command byte of the control unit (§6.6 table 2). 7–127 reserved, 128–255 user-defined. */
export const Command = {
  /** Control command from the centre (the table's note: clock sync); answered with confirm or deny. */
  control: 1,
  /** Send data: fire alarms and facility state (§6.3); answered with confirm or deny. */
  send: 2,
  /** Confirm of a control command or of sent data. */
  confirm: 3,
  /** Request: the centre reads (§6.4); answered with reply or deny. */
  request: 4,
  /** Reply to a request, carrying what was read. */
  reply: 5,
  /** Deny of a control command or of sent data (a check failed, §6.5.3). */
  deny: 6,
} as const;
export type CommandByte = (typeof Command)[keyof typeof Command];

/** Whether §6.6 table 2 defines this command byte (§6.5.3: an unrecognised one is a check error). */
export function isKnownCommand(byte: number): byte is CommandByte {
  return byte >= Command.control && byte <= Command.deny;
}

/** Type flag of an application data unit (§8.1.1 table 3). */
export const DataType = {
  systemState: 1,
  componentState: 2,
  componentAnalogue: 3,
  systemOperation: 4,
  systemSoftwareVersion: 5,
  systemConfiguration: 6,
  componentConfiguration: 7,
  systemTime: 8,
  deviceState: 21,
  deviceOperation: 24,
  deviceSoftwareVersion: 25,
  deviceConfiguration: 26,
  deviceTime: 28,
  readSystemState: 61,
  readComponentState: 62,
  readComponentAnalogue: 63,
  readSystemOperations: 64,
  readSystemSoftwareVersion: 65,
  readSystemConfiguration: 66,
  readComponentConfiguration: 67,
  readSystemTime: 68,
  readDeviceState: 81,
  readDeviceOperations: 84,
  readDeviceSoftwareVersion: 85,
  readDeviceConfiguration: 86,
  readDeviceTime: 88,
  initialiseDevice: 89,
  syncDeviceClock: 90,
  dutyCheck: 91,
} as const;
export type DataTypeFlag = (typeof DataType)[keyof typeof DataType];

/**
 * What answers a centre's read (§8.3.2): the upload type of the same information (61 → 1 … 68 → 8,
 * 81 → 21 … 88 → 28), sent with command byte `reply`.
 */
export const REPLY_TYPE: Readonly<Partial<Record<DataTypeFlag, DataTypeFlag>>> = {
  61: 1,
  62: 2,
  63: 3,
  64: 4,
  65: 5,
  66: 6,
  67: 7,
  68: 8,
  81: 21,
  84: 24,
  85: 25,
  86: 26,
  88: 28,
};

/** Building fire facility system types (§8.2.1.1 table 4) hearth names; 128–255 are user-defined. */
export const SystemType = {
  general: 0,
  fireAlarm: 1,
  linkageController: 10,
  hydrant: 11,
  sprinkler: 12,
  gasExtinguishing: 13,
  smokeControl: 18,
  fireDoorsAndShutters: 19,
  firePowerSupply: 23,
} as const;

/** Analogue types (§8.2.1.3 table 6) and the user-defined one hearth adds (docs/gbt26875.md). */
export const AnalogueType = {
  eventCount: 1,
  /** 0.01 m */
  height: 2,
  /** 0.1 °C */
  temperature: 3,
  /** 0.1 MPa */
  pressureMPa: 4,
  /** 0.1 kPa */
  pressureKPa: 5,
  /** 0.1 %LEL */
  gasConcentration: 6,
  /** 1 s */
  time: 7,
  /** 0.1 V */
  voltage: 8,
  /** 0.1 A */
  current: 9,
  /** 0.1 L/s */
  flow: 10,
  /** 0.1 m³/min */
  airVolume: 11,
  /** 1 m/s */
  windSpeed: 12,
  /**
   * User-defined (table 6 leaves 128–255 to the user): residual current in 1 mA. Type 9 counts in
   * 0.1 A, too coarse for the 300–500 mA alarm settings GB 50116-2013 §9.2.3 recommends.
   */
  residualCurrentMilliamps: 128,
} as const;
