import { Type } from '@sinclair/typebox';
import { flag, idSchema, integer, locationSchema, object, oneOfStrings, POINT_NAME_PATTERN, SEVERITIES, text } from './common.js';
import { Defaulted } from './defaulted.js';
import { pointLabelFields } from './labels.js';

/** Schema of the `gpio` section: backend, dry-contact inputs, local outputs. */

const LINE_DESC = 'BCM number (as on Raspberry Pi pinout charts; the sysfs base is found at run time).';

export const gpioInputSchema = object(
  'A dry contact (relay output of a smoke alarm, auxiliary contact of a residual-current breaker) on a GPIO line. It becomes a device with one boolean point.',
  {
    id: idSchema('Device id of this input, unique among devices, inputs and tag readers.'),
    name: Type.Optional(text('Human-readable name, e.g. "Smoke alarm relay, boiler room".')),
    pin: Type.Optional(integer(LINE_DESC, 0, 511)),
    line: Type.Optional(text('Kernel line name instead of a BCM number, e.g. GPIO17 (character-device backend).')),
    contact: Defaulted(
      oneOfStrings('NO: the contact closes when active; NC: it opens when active (a cut wire then also raises the event). Default NO.', ['NO', 'NC']),
      'NO',
    ),
    wiring: Defaulted(
      oneOfStrings('pull-up: contact switches the line to GND (usual); pull-down: to 3.3 V. Default pull-up.', ['pull-up', 'pull-down']),
      'pull-up',
    ),
    debounceMs: Defaulted(integer('A level must be steady this long (ms) to count; bursts inside the window give one change. Default 50.', 0, 60_000), 50),
    point: Defaulted(Type.String({ pattern: POINT_NAME_PATTERN, description: 'Point name in readings and events. Default contact.' }), 'contact'),
    role: Defaulted(
      oneOfStrings('What the active contact means: alarm (default), fault, tamper, or value (no event).', ['alarm', 'fault', 'tamper', 'value']),
      'alarm',
    ),
    severity: Type.Optional(oneOfStrings('Severity of the event. Default fire for alarms, major for faults and tamper.', SEVERITIES)),
    location: locationSchema("Where the contact's device is: building, floor, room (at least one)."),
    enabled: Defaulted(flag('Set false to keep the input in the config without watching it. Default true.'), true),
    ...pointLabelFields,
  },
);

export const gpioOutputSchema = object('A local output driven by local actions: siren, buzzer, relay (elevator block, power cut).', {
  name: idSchema('Name local actions refer to, e.g. siren-hall, elevator-block.'),
  pin: Type.Optional(integer(LINE_DESC, 0, 511)),
  line: Type.Optional(text('Kernel line name instead of a BCM number.')),
  activeLevel: Defaulted(oneOfStrings('Level that switches it on. Default high.', ['high', 'low']), 'high'),
  safeState: Defaulted(oneOfStrings('State at start, at stop and when an action ends. Default off (a fail-safe relay may need on).', ['off', 'on']), 'off'),
  description: Type.Optional(text('What it switches.')),
  sounder: Defaulted(
    flag(
      'A siren or buzzer: silencing an alarm in the console switches it off for that alarm. Relays (elevator block, power cut) are never silenced. Default false.',
    ),
    false,
  ),
  role: Defaulted(
    oneOfStrings(
      "action (default): driven by local actions. fault-indicator: on while any fault is present (a device fault or offline, a storage fault, a fire alarm not confirmed by the receiving centre), like a fire panel's fault LED or buzzer; local actions may not drive it.",
      ['action', 'fault-indicator'],
    ),
    'action',
  ),
});

export const gpioSchema = object("GPIO: dry-contact inputs and local outputs on the gateway's own pins.", {
  backend: Defaulted(
    oneOfStrings(
      'auto (default): the character device via libgpiod tools if present, else sysfs; sysfs (onoff); chardev (libgpiod tools, Debian package gpiod); sim (simulated, for demos and tests).',
      ['auto', 'sysfs', 'chardev', 'sim'],
    ),
    'auto',
  ),
  chip: Type.Optional(text("Label of the GPIO chip carrying the BCM lines. Default: the Raspberry Pi pin controller.")),
  inputs: Defaulted(Type.Array(gpioInputSchema, { description: 'Dry-contact inputs.' }), []),
  outputs: Defaulted(Type.Array(gpioOutputSchema, { description: 'Sirens, buzzers and relays.' }), []),
});
