import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayEvent } from '../../src/model/event.js';
import type { Reading } from '../../src/model/reading.js';
import type { UplinkSource } from '../../src/outbox/index.js';

export const GATEWAY = 'gw-test';

/** A temp folder removed at teardown. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'hearth-outbox-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function reading(seq: number, overrides: Partial<Reading> = {}): Reading {
  return {
    gatewayId: GATEWAY,
    deviceId: 'rcd-1',
    point: 'leakage',
    value: 120 + (seq % 7),
    unit: 'mA',
    quality: 'good',
    ts: Date.UTC(2026, 0, 1) + seq,
    synced: true,
    mono: seq,
    seq,
    ...overrides,
  };
}

export function fireAlarm(seq: number, overrides: Partial<GatewayEvent> = {}): GatewayEvent {
  return event(seq, { kind: 'alarm', severity: 'fire', deviceId: 'smoke-1', point: 'smoke', value: true, ...overrides });
}

export function fault(seq: number, overrides: Partial<GatewayEvent> = {}): GatewayEvent {
  return event(seq, { kind: 'fault', severity: 'major', deviceId: 'rcd-1', message: 'device offline', ...overrides });
}

function event(seq: number, overrides: Partial<GatewayEvent>): GatewayEvent {
  return {
    id: `ev-${seq}`,
    kind: 'alarm',
    severity: 'fire',
    gatewayId: GATEWAY,
    deviceId: 'smoke-1',
    message: 'smoke detected',
    location: { building: 'A', floor: '2', room: '201' },
    ts: Date.UTC(2026, 0, 1) + seq,
    synced: true,
    mono: seq,
    seq,
    ...overrides,
  };
}

/** Leasing limits large enough that one batch takes whatever a test stored. */
export const LIMITS = { maxReadings: 1000, maxBytes: 10_000_000 };

/** Everything a destination offers now, leased: the ids, and the event ids and `r<seq>` of readings in send order. */
export function drainAll(src: UplinkSource): { ids: number[]; what: string[] } {
  const ids: number[] = [];
  const what: string[] = [];
  for (let b = src.nextBatch(LIMITS); b !== undefined; b = src.nextBatch(LIMITS)) {
    ids.push(...b.ids);
    if (b.kind === 'event') what.push(b.event.id);
    else what.push(...b.readings.map((r) => `r${r.seq}`));
  }
  return { ids, what };
}
