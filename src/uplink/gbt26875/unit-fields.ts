import type { ByteReader, ByteWriter } from './bytes.js';
import { decodeTimeTag, encodeTimeTag, TIME_TAG_BYTES } from './time-tag.js';
import type { ComponentRef, SystemRef, UnitOf, UnitType } from './units.js';

/**
 * How one type's information objects go to and from bytes: the pieces unit-codec.ts puts behind
 * the type flag and the object count.
 */
export interface TypeCodec<T extends UnitType> {
  /** Most objects one unit may carry (§8.3: "n not above …"). */
  max: number;
  /** The count must be exactly 1 (the types whose figure says "= 1"). */
  single?: true;
  count(unit: UnitOf<T>): number;
  write(unit: UnitOf<T>, w: ByteWriter, utcOffsetMinutes: number): void;
  read(r: ByteReader, count: number, utcOffsetMinutes: number): UnitOf<T>;
}

/** A type whose unit is a list of like objects. */
export function listCodec<T extends UnitType, O>(
  max: number,
  objects: (unit: UnitOf<T>) => readonly O[],
  unit: (objects: O[]) => UnitOf<T>,
  writeOne: (o: O, w: ByteWriter, tz: number) => void,
  readOne: (r: ByteReader, tz: number) => O,
): TypeCodec<T> {
  return {
    max,
    count: (u) => objects(u).length,
    write: (u, w, tz) => {
      for (const o of objects(u)) writeOne(o, w, tz);
    },
    read: (r, count, tz) => {
      const list: O[] = [];
      for (let i = 0; i < count; i++) list.push(readOne(r, tz));
      return unit(list);
    },
  };
}

/** A type whose unit carries exactly one object. */
export function singleCodec<T extends UnitType>(write: (unit: UnitOf<T>, w: ByteWriter, tz: number) => void, read: (r: ByteReader, tz: number) => UnitOf<T>): TypeCodec<T> {
  return { max: 1, single: true, count: () => 1, write, read: (r, _count, tz) => read(r, tz) };
}

export function writeSystem(s: SystemRef, w: ByteWriter): void {
  w.u8(s.type, 'system type').u8(s.address, 'system address');
}

export function readSystem(r: ByteReader): SystemRef {
  return { type: r.u8(), address: r.u8() };
}

/** System type, system address, component address: what reads 62, 63 and 67 name (figures 32, 33, 37). */
export function writeComponentRef(c: ComponentRef, w: ByteWriter): void {
  writeSystem(c.system, w);
  w.u32(c.address, 'component address');
}

export function readComponentRef(r: ByteReader): ComponentRef {
  return { system: readSystem(r), address: r.u32() };
}

export function writeTime(date: Date, w: ByteWriter, tz: number): void {
  w.bytes(encodeTimeTag(date, tz));
}

export function readTime(r: ByteReader, tz: number): Date {
  return decodeTimeTag(r.bytes(TIME_TAG_BYTES), tz);
}
