import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import type { EventKind, GatewayEvent, Severity } from './event.js';
import type { Location } from './location.js';
import type { PointValue } from './reading.js';
import type { SequenceSource } from './sequence.js';

/**
 * Builds events: the one place that stamps id, time, sequence number and location, so every event
 * the rules raise carries the same envelope whatever made it.
 */

export interface EventStamp {
  gatewayId: string;
  clock: Clock;
  seq: SequenceSource;
  /** Unique id per event; injectable so tests can predict ids. */
  newId?: () => string;
}

/** What the rule decided; the factory adds the envelope. */
export interface EventFacts {
  kind: EventKind;
  severity: Severity;
  point?: string;
  value?: PointValue;
  threshold?: number;
  unit?: string;
  message: string;
  restores?: string;
}

export function buildEvent(stamp: EventStamp, device: { id: string; location: Location }, facts: EventFacts): GatewayEvent {
  const event: GatewayEvent = {
    id: (stamp.newId ?? randomUUID)(),
    kind: facts.kind,
    severity: facts.severity,
    gatewayId: stamp.gatewayId,
    deviceId: device.id,
    message: facts.message,
    // A copy: the event is stored and sent later; a config reload must not change where it happened.
    location: { ...device.location },
    ts: stamp.clock.now(),
    synced: stamp.clock.synced(),
    mono: stamp.clock.mono(),
    seq: stamp.seq.next(),
  };
  if (facts.point !== undefined) event.point = facts.point;
  if (facts.value !== undefined) event.value = facts.value;
  if (facts.threshold !== undefined) event.threshold = facts.threshold;
  if (facts.unit !== undefined) event.unit = facts.unit;
  if (facts.restores !== undefined) event.restores = facts.restores;
  return event;
}

/** "512 mA", or "512" for a point without a unit. */
export function withUnit(value: PointValue, unit?: string): string {
  return unit === undefined || unit === '' ? String(value) : `${String(value)} ${unit}`;
}

/** "95 s", "1.5 s", "250 ms": durations in messages read like a person would say them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
