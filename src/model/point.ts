import type { Severity } from './event.js';

/**
 * Threshold rule for a numeric point. Alarm when value > high (or < low) for onDelayMs;
 * restore when it is back inside by `hysteresis`.
 */
export interface ThresholdSpec {
  high?: number;
  low?: number;
  /** Dead zone for the restore, in the point's unit. Default 0. */
  hysteresis?: number;
  /** The condition must hold this long before the event is raised. Default 0. */
  onDelayMs?: number;
  /** Kind of event raised: an alarm (default) or a fault (e.g. a sensor reporting out of range). */
  kind?: 'alarm' | 'fault';
  /** Default `critical`; a smoke density alarm is `fire`. */
  severity?: Severity;
}

/** What a boolean point means when it is true. */
export type PointRole = 'value' | 'alarm' | 'fault' | 'tamper';

/**
 * A point as the generic runtime sees it, whatever the driver: drivers return raw values, and the
 * runtime applies scale, offset, plausibility limits and thresholds from this spec, once.
 */
export interface PointSpec {
  name: string;
  type: 'number' | 'boolean' | 'string';
  unit?: string;
  /** value = raw * scale + offset (numbers only). */
  scale?: number;
  offset?: number;
  /** Plausibility limits after scaling: outside them the reading has quality `bad` and no rule fires. */
  min?: number;
  max?: number;
  /** For boolean points: true means alarm / fault / tamper active. */
  role?: PointRole;
  /** Severity of the event a boolean alarm/fault point raises (alarm default `fire`, fault `major`). */
  severity?: Severity;
  /** Boolean points: the active state is `false` instead of `true` (normally-closed contacts). */
  activeLow?: boolean;
  thresholds?: ThresholdSpec;
  /** Report-by-exception: publish only if the value moved more than this (issue: outbox). */
  deadband?: number;
  /** Report-by-exception: publish at least this often even without change. */
  maxSilenceMs?: number;
  description?: string;
  /** What people call the point in English (log lines, event messages); the profile's `labels.en`. */
  label?: string;
}

/** `smoke_density` → "Smoke density": what people read when no label was given. */
export function humanizeId(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Humanized point names, by name: a pure function of the name, made once per name the profiles use. */
const titles = new Map<string, string>();

/** The point's name in event messages and log lines: its English label, else a humanized name, never the raw identifier. */
export function pointTitle(spec: Pick<PointSpec, 'name' | 'label'>): string {
  if (spec.label !== undefined) return spec.label;
  // Made once per name, not twice per alarm with two regular expressions: the interpreter the
  // gateway runs in has no compiled regular expressions (node --jitless), and this runs before
  // the alarm is stored.
  let title = titles.get(spec.name);
  if (title === undefined) {
    title = humanizeId(spec.name);
    titles.set(spec.name, title);
  }
  return title;
}
