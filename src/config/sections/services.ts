import { Type } from '@sinclair/typebox';
import { flag, integer, object, oneOfStrings, text } from './common.js';
import { Defaulted, DerivedDefault } from './defaulted.js';
import { demoIoProperties } from './demo-io.js';

export const outboxSchema = object('The durable outbox (SQLite) that keeps every reading and event until the platform confirmed it.', {
  path: DerivedDefault(text("SQLite file. Default <stateDir>/outbox.db. Relative paths resolve against the config file's folder.")),
  quotaMb: Defaulted(integer('Disk quota in MiB; beyond it the oldest readings (never alarms) are dropped. Default 512.', 8, 1_048_576), 512),
  flushIntervalMs: Defaulted(
    integer('Confirmations (and readings, when writeBehindMs is 0) are group-committed at most this long (ms) after they arrive. Default 100.', 1, 10_000),
    100,
  ),
  writeBehindMs: DerivedDefault(
    integer(
      'Write-behind: readings are kept in memory and sent from there; only those not confirmed by every destination they are for within this many ms are written to the outbox file, all together (at most one commit per window). The readings a crash can lose are at most this window (a power cut: plus the kernel writeback delay, docs/outbox.md); events are always written first. Default platform.telemetryIntervalMs + 5000 (readings wait for the telemetry interval anyway); 0 writes every reading within flushIntervalMs.',
      0,
      3_600_000,
    ),
  ),
  writeBehindMaxReadings: Defaulted(
    integer('Write-behind: readings held in memory at most; more are written to the file at once. Default 5000.', 10, 1_000_000),
    5000,
  ),
  minFreeMb: Defaulted(
    integer("Free space (MiB) left on the outbox's filesystem; below it the oldest readings are dropped and a fault is raised. Default 64.", 0, 1_048_576),
    64,
  ),
  reserveMb: Defaulted(integer('Room (MiB) kept in reserve for events when the disk is full. Default 4; 0 disables.', 0, 1024), 4),
  drainRatePerSec: Defaulted(
    integer('Readings per second sent while draining a backlog (token bucket); events are never limited. Default 0 = unlimited.', 0, 10_000_000),
    0,
  ),
  drainBurst: Type.Optional(
    integer('Readings the drain may send at once after a pause (token bucket size). Default: one second at drainRatePerSec.', 1, 10_000_000),
  ),
  alarmAckTimeoutMs: Defaulted(
    integer(
      'A sent fire alarm not acknowledged by the platform (ack topic) within this many ms raises a local fault. Default 100000 (EN 54-21 type 1).',
      1000,
      3_600_000,
    ),
    100_000,
  ),
});

export const apiSchema = object('The HTTP API and web console for installers.', {
  enabled: Defaulted(flag('Serve the API and console. Default true.'), true),
  host: Defaulted(text('Address to listen on. Default 0.0.0.0 (all interfaces); 127.0.0.1 for local only.'), '0.0.0.0'),
  port: Defaulted(integer('TCP port. Default 8080.', 1, 65535), 8080),
  tls: Type.Optional(
    object("HTTPS with the gateway's own certificate. Give both files or neither (plain HTTP).", {
      cert: Type.Optional(text("Certificate (PEM file). Relative paths resolve against the config file's folder.")),
      key: Type.Optional(text('Private key (PEM file).')),
    }),
  ),
  sessionTtlMinutes: Type.Optional(integer('Console login sessions last this long. Default 480 (8 h).', 5, 10_080)),
  maxFailedLogins: Type.Optional(integer('Wrong tokens per client address within 5 minutes before it is refused (429). Default 5.', 1, 1000)),
});

export const logSchema = object('Logging.', {
  level: Defaulted(oneOfStrings('Lowest level logged. Default info.', ['trace', 'debug', 'info', 'warn', 'error', 'fatal']), 'info'),
  format: Defaulted(oneOfStrings('json for journald, pretty for a terminal, auto = pretty on a TTY. Default auto.', ['json', 'pretty', 'auto']), 'auto'),
});

export const profilePathsSchema = Defaulted(
  Type.Array(text('A folder of profile files.'), {
    description:
      "Extra folders searched for device profiles (<name>.yaml) before the shipped drivers/modbus/profiles. Relative paths resolve against the config file's folder.",
  }),
  [],
);

export const demoSimulatorSchema = object('An in-process Modbus TCP simulator standing in for field devices.', {
  profile: text('Profile whose register map the simulated devices follow (name or path, as devices[].profile).'),
  host: Defaulted(text('Address the simulator listens on. Default 127.0.0.1.'), '127.0.0.1'),
  port: integer('TCP port the simulator listens on.', 1, 65535),
  units: Type.Array(integer('A unit id, 1-247.', 1, 247), { description: 'Unit ids it answers.', minItems: 1, uniqueItems: true }),
  scenario: Defaulted(
    oneOfStrings('steady, or alarm-cycle: an alarm ~10 s after start, restored ~10 s later. Default steady.', ['steady', 'alarm-cycle']),
    'steady',
  ),
});

export const demoSchema = object('Demo configs only: what the gateway starts in-process to stand in for the field and the platform.', {
  simulators: Defaulted(Type.Array(demoSimulatorSchema, { description: 'Simulated devices.' }), []),
  cycleS: Defaulted(
    integer(
      "Period of the simulators' scenarios, in seconds: alarm-cycle alarms, contact changes and tag visits happen in the first minute of each period (the first one within 30 s of start), the rest is quiet. Default 60; the shipped demo uses 1800, a busy site's event rate rather than a fire a minute.",
      60,
      86_400,
    ),
    60,
  ),
  brokerPort: Defaulted(integer('Port of the embedded MQTT broker on localhost. Default 1883.', 1, 65535), 1883),
  confirmEvents: Defaulted(
    flag(
      "The embedded broker confirms every event on the gateway's ack topic, as a receiving centre would (native codec; docs/uplink-native.md). Set false to watch the unconfirmed-alarm fault after 100 s. Default true.",
    ),
    true,
  ),
  monitoringCentre: Type.Optional(
    object('A fire monitoring centre simulator (GB/T 26875.3) on localhost: point a `centres` entry at it (host 127.0.0.1, this port).', {
      port: integer('TCP port it listens on.', 1, 65535),
      address: Defaulted(integer("The centre's address (6 bytes). Default 0.", 0, 281_474_976_710_655), 0),
    }),
  ),
  ...demoIoProperties,
});
