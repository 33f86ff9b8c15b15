import type { Location } from './location.js';
import type { PointValue } from './reading.js';

/** What happened. `alarm` with severity `fire` pre-empts all other traffic. */
export type EventKind =
  | 'alarm'
  | 'fault'
  | 'restore'
  | 'offline'
  | 'online'
  | 'tag_arrived'
  | 'tag_left'
  | 'tamper'
  | 'test'
  | 'dropped';

export type Severity = 'fire' | 'critical' | 'major' | 'minor' | 'info';

/** Most severe first: `fire` is 0, `info` 4. */
export const SEVERITY_ORDER: readonly Severity[] = ['fire', 'critical', 'major', 'minor', 'info'];

/** Whether `s` is at least as severe as `floor`. */
export function atLeast(s: Severity, floor: Severity): boolean {
  return SEVERITY_ORDER.indexOf(s) <= SEVERITY_ORDER.indexOf(floor);
}

export interface GatewayEvent {
  /** Unique, stable across retries: the platform de-duplicates on it. */
  id: string;
  kind: EventKind;
  severity: Severity;
  gatewayId: string;
  deviceId: string;
  point?: string;
  value?: PointValue;
  threshold?: number;
  unit?: string;
  /** Human-readable summary for logs and consoles. */
  message: string;
  location: Location;
  ts: number;
  synced: boolean;
  mono: number;
  seq: number;
  /** For restores: the id of the event this one ends. */
  restores?: string;
  /** Raised (or restored) during a walk test (EN 54-2 test condition) of its device: a test, not a fire. */
  test?: boolean;
}

/** Fire alarms first, then other events. Lower number = higher priority. */
export function eventPriority(e: Pick<GatewayEvent, 'kind' | 'severity'>): number {
  if (e.kind === 'alarm' && e.severity === 'fire') return 0;
  return 1;
}
