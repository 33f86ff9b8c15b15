import type { ModbusArea } from '../../src/bus/modbus/types.js';
import { registerCount } from './decode.js';
import type { BitFieldDef, ModbusPointDef, ModbusProfile, ReadLimits } from './profile-types.js';

/** Something to read: a point or a bit field, occupying `width` addresses from `address`. */
export type ReadItem = { kind: 'point'; def: ModbusPointDef } | { kind: 'bits'; def: BitFieldDef };

export interface Span<T> {
  area: ModbusArea;
  address: number;
  width: number;
  item: T;
}

/** One read request and what it carries. */
export interface ReadBlock<T = ReadItem> {
  area: ModbusArea;
  address: number;
  count: number;
  items: Span<T>[];
}

const AREA_ORDER: readonly ModbusArea[] = ['discrete', 'coil', 'input', 'holding'];
const isBitArea = (area: ModbusArea) => area === 'coil' || area === 'discrete';

/**
 * Group spans into as few requests as the limits allow: per area, sorted by address, a span joins
 * the current block if the gap before it is at most `maxGap` addresses and the block stays within
 * `maxRegisters` (or `maxBits` for coils and discrete inputs). Overlapping spans share addresses.
 * Every request costs a round trip and, on RTU, 3.5 character times of silence.
 */
export function planReads<T>(spans: readonly Span<T>[], limits: ReadLimits): ReadBlock<T>[] {
  const blocks: ReadBlock<T>[] = [];
  for (const area of AREA_ORDER) {
    const max = isBitArea(area) ? limits.maxBits : limits.maxRegisters;
    const sorted = spans.filter((s) => s.area === area).sort((a, b) => a.address - b.address || b.width - a.width);
    let current: ReadBlock<T> | undefined;
    for (const span of sorted) {
      const end = span.address + span.width;
      if (current) {
        const currentEnd = current.address + current.count;
        const gap = span.address - currentEnd;
        const newCount = Math.max(currentEnd, end) - current.address;
        if (gap <= limits.maxGap && newCount <= max) {
          current.count = newCount;
          current.items.push(span);
          continue;
        }
      }
      current = { area, address: span.address, count: span.width, items: [span] };
      blocks.push(current);
    }
  }
  return blocks;
}

/** The profile's points and bit fields as spans. */
export function profileSpans(profile: Pick<ModbusProfile, 'points' | 'bitFields'>): Span<ReadItem>[] {
  return [
    ...profile.points.map((def): Span<ReadItem> => ({
      area: def.area,
      address: def.address,
      width: isBitArea(def.area) ? 1 : registerCount(def.type),
      item: { kind: 'point', def },
    })),
    ...profile.bitFields.map((def): Span<ReadItem> => ({ area: def.area, address: def.address, width: 1, item: { kind: 'bits', def } })),
  ];
}

export function planProfileReads(profile: Pick<ModbusProfile, 'points' | 'bitFields' | 'reads'>): ReadBlock[] {
  return planReads(profileSpans(profile), profile.reads);
}
