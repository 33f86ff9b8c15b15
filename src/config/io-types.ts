import type { EventKind, Severity } from '../model/event.js';
import type { Location } from '../model/location.js';

/**
 * Typed shape of the GPIO, tag reader and local action sections (schemas in sections/gpio.ts,
 * sections/tags.ts, sections/actions.ts). Durations are milliseconds and say so in their names.
 */

export interface GpioConfig {
  /** `auto` picks the character device (libgpiod tools) or sysfs, whichever the machine has. */
  backend: 'auto' | 'sysfs' | 'chardev' | 'sim';
  /** Label of the chip carrying the BCM lines (default: the Raspberry Pi pin controller). */
  chip?: string;
  inputs: GpioInputConfig[];
  outputs: GpioOutputConfig[];
}

/** A dry contact on a GPIO line, seen by the gateway as a device with one boolean point. */
export interface GpioInputConfig {
  id: string;
  name?: string;
  /** BCM number, or `line` (the kernel's line name); exactly one. */
  pin?: number;
  line?: string;
  /** NO: the contact closes when active; NC: it opens when active (wire-break is then an alarm too). */
  contact: 'NO' | 'NC';
  /** pull-up: contact switches the line to GND; pull-down: to 3.3 V. */
  wiring: 'pull-up' | 'pull-down';
  debounceMs: number;
  point: string;
  role: 'alarm' | 'fault' | 'tamper' | 'value';
  severity?: Severity;
  location: Location;
  enabled: boolean;
}

export interface GpioOutputConfig {
  /** Name local actions refer to, e.g. `siren-hall`, `elevator-block`. */
  name: string;
  pin?: number;
  line?: string;
  /** Level that switches the siren/relay on. Default high. */
  activeLevel: 'high' | 'low';
  /** State at start, at stop and after an action ends. Default off. */
  safeState: 'off' | 'on';
  description?: string;
  /** A siren or buzzer: silencing an alarm switches it off. Relays are never silenced. */
  sounder: boolean;
  /**
   * `action` (default): driven by local actions. `fault-indicator`: on while any fault is present
   * (a device fault or offline, a storage fault, a fire alarm the receiving centre did not
   * confirm), like a fire panel's fault LED and buzzer; local actions do not drive it.
   */
  role: 'action' | 'fault-indicator';
}

export interface TagListRef {
  tags: string[];
  groups: string[];
}

export interface TagReaderConfig {
  id: string;
  name?: string;
  protocol: 'rdm6300' | 'ascii-line' | 'uhf-m100';
  /** Serial device path, or `tcp` host:port of a serial server; exactly one. */
  port?: string;
  tcp?: string;
  /** Default per protocol (9600 for rdm6300 and ascii-line, 115200 for uhf-m100). */
  baudRate?: number;
  /** ascii-line only: regex applied to each line; the first group (or the match) is the tag id. */
  pattern?: string;
  /** A tag must be seen this long before it counts as arrived. Default 0. */
  dwellMs: number;
  /** A tag not seen for this long has left. Default 1500. */
  absenceMs: number;
  /** Tags that raise an alarm here (e.g. registered e-bike tags at the elevator). */
  deny?: TagListRef;
  /** If set, any tag not on it raises an alarm here. */
  allow?: TagListRef;
  alarmSeverity: Severity;
  location: Location;
  enabled: boolean;
}

export interface TagsConfig {
  /** Named groups of tag ids, e.g. `ebikes: [0A1B2C3D4E, ...]`. */
  groups: Record<string, string[]>;
  readers: TagReaderConfig[];
}

export interface ActionStep {
  output: string;
  mode: 'on' | 'off' | 'pulse' | 'pattern';
  /** pulse: how long on; pattern: how long the pattern runs (default: until the event is restored). */
  forMs?: number;
  /** pattern: alternating on/off durations in ms, repeated. */
  pattern?: number[];
}

export interface LocalActionRule {
  name: string;
  when: { kinds: EventKind[]; devices?: string[]; points?: string[]; severities?: Severity[] };
  do: ActionStep[];
  /** Outputs go back to their safe state when the triggering event is restored. Default true. */
  untilRestore: boolean;
}

/** Demo configs only: simulated dry contacts (on gpio.backend: sim) and TCP tag readers. */
export interface DemoContacts {
  scenario: 'alarm-cycle' | 'steady';
}

export interface DemoTagReader {
  host: string;
  port: number;
  protocol: 'rdm6300' | 'ascii-line' | 'uhf-m100';
  scenario: 'ebike-visit' | 'none';
}
