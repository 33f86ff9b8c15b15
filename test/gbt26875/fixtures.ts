import type { GatewayEvent } from '../../src/model/event.js';
import { Command, componentStatus, encodeFrame, encodeUnit, type Frame } from '../../src/uplink/gbt26875/index.js';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** An instant given as China Standard Time wall clock. */
export const cst = (y: number, mo: number, d: number, h: number, mi: number, s: number): Date => new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s));

/** Deterministic random numbers (mulberry32), so a failing fuzz run can be repeated. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

export function frame(overrides: Partial<Frame> = {}): Frame {
  return { serial: 7, time: cst(2026, 3, 1, 12, 0, 0), source: 0x0a0b0c, destination: 1, command: Command.send, ...overrides };
}

/** A whole type-2 fire alarm frame, as hearth sends one. */
export function fireAlarmFrame(serial = 1, description = '3号楼2层201室 烟感'): Buffer {
  const data = encodeUnit({
    type: 2,
    components: [
      { system: { type: 1, address: 1 }, componentType: 42, address: 0x00010003, status: componentStatus({ fire: true }), description, time: cst(2026, 3, 1, 11, 59, 58) },
    ],
  });
  return encodeFrame(frame({ serial, data }));
}

export function gatewayEvent(seq: number, overrides: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    id: `ev-${seq}`,
    kind: 'alarm',
    severity: 'fire',
    gatewayId: 'gw-1',
    deviceId: 'smoke-1',
    point: 'smoke',
    message: 'smoke detected',
    location: { building: '3号楼', floor: '2', room: '201' },
    ts: cst(2026, 3, 1, 12, 0, 0).getTime() + seq * 1000,
    synced: true,
    mono: seq,
    seq,
    ...overrides,
  };
}
