/**
 * GB/T 26875.3-2011, the protocol between a user information transmission device and a city fire
 * remote monitoring centre: frames, application data units, and what hearth's events become. Pure
 * and synchronous; the TCP session is built on it. docs/gbt26875.md describes it.
 */
export { Command, DataType, REPLY_TYPE, SystemType, AnalogueType, isKnownCommand, MAX_DATA_BYTES, MAX_FRAME_BYTES, type CommandByte, type DataTypeFlag } from './constants.js';
export { Gbt26875Error, type Gbt26875ErrorCode } from './errors.js';
export { encodeFrame, decodeFrame, answerFrame, checksum, PROTOCOL_VERSION, MAX_ADDRESS, type Frame, type DecodedFrame, type FrameOptions, type ProtocolVersion, type Address } from './frame.js';
export { FrameReader, type FrameReaderStats } from './frame-reader.js';
export { encodeTimeTag, decodeTimeTag, CHINA_STANDARD_TIME } from './time-tag.js';
export { encodeGb18030Field, decodeGb18030Field, DESCRIPTION_BYTES } from './gb18030.js';
export * from './flags.js';
export type * from './units.js';
export { encodeUnit, decodeUnit, isKnownUnitType, maxObjects, type UnitOptions } from './unit-codec.js';
export { componentAddress, loopAndPoint, type LoopPoint } from './component-address.js';
export { ComponentType, COMPONENT_TYPE_BY_KIND, componentTypeForKind } from './component-types.js';
export { buildGbt26875Site, componentOf, GPIO_INPUT_LOOP, TAG_READER_LOOP, type Gbt26875Site, type Gbt26875Component, type Gbt26875DeviceOverride, type Gbt26875SiteOptions, type SiteConfig } from './site.js';
export { eventUnits, type EventContext } from './event-units.js';
export { deviceFlagForFault, deviceStatusOf } from './device-faults.js';
export { operationUnit, type GatewayOperation, type OperationOptions } from './operations.js';
export { analogueFor, readingUnits } from './analogue.js';
