import { ByteReader, ByteWriter } from './bytes.js';
import * as centre from './centre-units.js';
import { MAX_DATA_BYTES } from './constants.js';
import { Gbt26875Error } from './errors.js';
import { CHINA_STANDARD_TIME } from './time-tag.js';
import type { TypeCodec } from './unit-fields.js';
import type { ApplicationDataUnit, UnitType } from './units.js';
import * as upload from './upload-units.js';

const CODECS: { [T in UnitType]: TypeCodec<T> } = {
  1: upload.systemStates,
  2: upload.componentStates,
  3: upload.analogueValues,
  4: upload.systemOperations,
  5: upload.systemSoftwareVersion,
  6: upload.systemConfigurations,
  7: upload.componentConfigurations,
  8: upload.systemTime,
  21: upload.deviceState,
  24: upload.deviceOperations,
  25: upload.deviceSoftwareVersion,
  26: upload.deviceConfiguration,
  28: upload.deviceTime,
  61: centre.readSystemState,
  62: centre.readComponentState,
  63: centre.readComponentAnalogue,
  64: centre.readSystemOperations,
  65: centre.readSystemSoftwareVersion,
  66: centre.readSystemConfiguration,
  67: centre.readComponentConfiguration,
  68: centre.readSystemTime,
  81: centre.readDeviceState,
  84: centre.readDeviceOperations,
  85: centre.readDeviceSoftwareVersion,
  86: centre.readDeviceConfiguration,
  88: centre.readDeviceTime,
  89: centre.initialiseDevice,
  90: centre.syncDeviceClock,
  91: centre.dutyCheck,
};

export interface UnitOptions {
  /** Time zone of the time tags, minutes east of UTC. Default China Standard Time (+480). */
  utcOffsetMinutes?: number;
}

/** Whether hearth can encode and decode units of this type flag. */
export function isKnownUnitType(type: number): type is UnitType {
  return Object.hasOwn(CODECS, type);
}

/**
 * The bytes of one application data unit: type flag, object count, objects. A typed error
 * (GBT26875_RANGE, GBT26875_OBJECT_COUNT, GBT26875_DATA_TOO_LONG) when it cannot be sent as given;
 * split long lists with the type's maximum (maxObjects) first.
 */
export function encodeUnit(unit: ApplicationDataUnit, options: UnitOptions = {}): Buffer {
  const codec = codecFor(unit.type) as TypeCodec<UnitType>;
  const count = codec.count(unit);
  checkCount(unit.type, codec, count);
  const w = new ByteWriter().u8(unit.type, 'type flag').u8(count, 'object count');
  codec.write(unit, w, options.utcOffsetMinutes ?? CHINA_STANDARD_TIME);
  if (w.length > MAX_DATA_BYTES) throw new Gbt26875Error('GBT26875_DATA_TOO_LONG', `type ${unit.type}: ${w.length} bytes, at most ${MAX_DATA_BYTES} (§6.6)`);
  return w.toBuffer();
}

/**
 * The unit in a frame's application data. Throws only Gbt26875Error: GBT26875_UNKNOWN_TYPE,
 * GBT26875_OBJECT_COUNT, GBT26875_TRUNCATED, GBT26875_TRAILING_BYTES, GBT26875_TIME_TAG.
 */
export function decodeUnit(data: Uint8Array, options: UnitOptions = {}): ApplicationDataUnit {
  try {
    const r = new ByteReader(data, 'application data');
    const type = r.u8();
    const count = r.u8();
    const codec = codecFor(type);
    checkCount(type, codec, count);
    const unit = codec.read(r, count, options.utcOffsetMinutes ?? CHINA_STANDARD_TIME);
    r.end();
    return unit;
  } catch (err) {
    // A safety net: the readers above throw only typed errors, and callers rely on that.
    if (err instanceof Gbt26875Error) throw err;
    throw new Gbt26875Error('GBT26875_TRUNCATED', `application data: ${(err as Error).message}`, { cause: err });
  }
}

/** Most objects one unit of `type` carries (§8.3); longer lists go in several units. */
export function maxObjects(type: UnitType): number {
  return CODECS[type].max;
}

function codecFor(type: number): TypeCodec<UnitType> {
  if (!isKnownUnitType(type)) throw new Gbt26875Error('GBT26875_UNKNOWN_TYPE', `type flag ${type}: not a type hearth knows (§8.1.1 table 3)`);
  return CODECS[type] as TypeCodec<UnitType>;
}

function checkCount(type: number, codec: TypeCodec<UnitType>, count: number): void {
  const ok = codec.single ? count === 1 : count >= 1 && count <= codec.max;
  if (!ok) throw new Gbt26875Error('GBT26875_OBJECT_COUNT', `type ${type}: ${count} objects, ${codec.single ? 'exactly 1' : `1–${codec.max}`} (§8.3)`);
}
