import type { ByteReader, ByteWriter } from './bytes.js';
import { listCodec, readComponentRef, readSystem, readTime, singleCodec, writeComponentRef, writeSystem, writeTime, type TypeCodec } from './unit-fields.js';
import type { OperationQuery, UnitOf } from './units.js';

/** Information objects of the centre's reads and controls (§8.3.2). */

/** The types whose single object is one reserved byte, 0 (figures 39, 41–44). */
type ReservedByteType = 81 | 85 | 86 | 88 | 89;

function reservedByte<T extends ReservedByteType>(type: T): TypeCodec<T> {
  return singleCodec<T>(
    (_u, w) => {
      w.u8(0, 'reserved');
    },
    // The reserved byte's value is not checked: it carries nothing.
    (r) => {
      r.u8();
      return { type } as UnitOf<T>;
    },
  );
}

function writeQuery(q: OperationQuery, w: ByteWriter, tz: number): void {
  w.u8(q.count, 'record count');
  writeTime(q.from, w, tz);
}

function readQuery(r: ByteReader, tz: number): OperationQuery {
  return { count: r.u8(), from: readTime(r, tz) };
}

export const readSystemState: TypeCodec<61> = listCodec(102, (u) => u.systems, (systems) => ({ type: 61, systems }), (s, w) => writeSystem(s, w), readSystem);
export const readComponentState: TypeCodec<62> = listCodec(22, (u) => u.components, (components) => ({ type: 62, components }), (c, w) => writeComponentRef(c, w), readComponentRef);
export const readComponentAnalogue: TypeCodec<63> = listCodec(63, (u) => u.components, (components) => ({ type: 63, components }), (c, w) => writeComponentRef(c, w), readComponentRef);

/** Figure 34: which system, how many records (n ≤ 102), from when. */
export const readSystemOperations: TypeCodec<64> = singleCodec(
  (u, w, tz) => {
    writeSystem(u.system, w);
    writeQuery(u.query, w, tz);
  },
  (r, tz) => ({ type: 64, system: readSystem(r), query: readQuery(r, tz) }),
);

export const readSystemSoftwareVersion: TypeCodec<65> = singleCodec(
  (u, w) => writeSystem(u.system, w),
  (r) => ({ type: 65, system: readSystem(r) }),
);
export const readSystemConfiguration: TypeCodec<66> = listCodec(3, (u) => u.systems, (systems) => ({ type: 66, systems }), (s, w) => writeSystem(s, w), readSystem);
export const readComponentConfiguration: TypeCodec<67> = listCodec(26, (u) => u.components, (components) => ({ type: 67, components }), (c, w) => writeComponentRef(c, w), readComponentRef);
export const readSystemTime: TypeCodec<68> = singleCodec(
  (u, w) => writeSystem(u.system, w),
  (r) => ({ type: 68, system: readSystem(r) }),
);

export const readDeviceState = reservedByte(81);
/** Figure 40: how many records (n ≤ 102), from when. */
export const readDeviceOperations: TypeCodec<84> = singleCodec(
  (u, w, tz) => writeQuery(u.query, w, tz),
  (r, tz) => ({ type: 84, query: readQuery(r, tz) }),
);
export const readDeviceSoftwareVersion = reservedByte(85);
export const readDeviceConfiguration = reservedByte(86);
export const readDeviceTime = reservedByte(88);
export const initialiseDevice = reservedByte(89);

/** Figure 45: the centre's time. */
export const syncDeviceClock: TypeCodec<90> = singleCodec(
  (u, w, tz) => writeTime(u.time, w, tz),
  (r, tz) => ({ type: 90, time: readTime(r, tz) }),
);

/** Figure 46: the answer timeout in minutes (1 byte). */
export const dutyCheck: TypeCodec<91> = singleCodec(
  (u, w) => {
    w.u8(u.timeoutMinutes, 'duty check timeout (min)');
  },
  (r) => ({ type: 91, timeoutMinutes: r.u8() }),
);
