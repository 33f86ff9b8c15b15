import { Type } from '@sinclair/typebox';
import type { EventKind } from '../../model/event.js';
import { ID_PATTERN, SEVERITIES, flag, idSchema, integer, object, oneOfStrings, record, text } from './common.js';
import { Defaulted } from './defaulted.js';

/** Every event kind, `dropped` (the outbox's own loss reports) included. */
const EVENT_KINDS: readonly EventKind[] = ['alarm', 'fault', 'restore', 'offline', 'online', 'tag_arrived', 'tag_left', 'tamper', 'test', 'dropped'];

/** What a fire monitoring centre takes unless told otherwise: alarms, faults, their ends and device state changes. */
export const CENTRE_KINDS: readonly EventKind[] = ['alarm', 'fault', 'restore', 'offline', 'online', 'tamper', 'test'];

export function routeSchema(defaults: string) {
  return object(`Which records this destination receives; the outbox keeps each record until every destination it is for confirmed it. ${defaults}`, {
    kinds: Type.Optional(Type.Array(oneOfStrings('An event kind.', EVENT_KINDS), { uniqueItems: true, description: 'Event kinds it receives. Default: every kind.' })),
    minSeverity: Type.Optional(oneOfStrings('Only events at least this severe (fire > critical > major > minor > info). Default: every severity.', SEVERITIES)),
    readings: flag('Whether it receives readings (telemetry).'),
  });
}

const systemSchema = object('A building fire facility system as GB/T 26875.3 §8.2.1.1 names it.', {
  type: integer('System type (table 4): 1 = fire alarm system (default), 10 = electrical fire monitoring, … See docs/gbt26875.md.', 0, 255),
  address: integer('System address, 0–255.', 0, 255),
});

const deviceOverrideSchema = object('How the centre sees one device: each setting wins over the one derived from the device and its profile.', {
  componentType: Type.Optional(integer('Component type (table 5), e.g. 40 point smoke detector, 17 residual-current, 18 temperature.', 0, 255)),
  address: Type.Optional(
    Type.Union(
      [
        integer('The 4-byte component address as one number.', 0, 4_294_967_295),
        object('Loop and point, as the panel numbers them.', { loop: integer('Loop, 0–65535.', 0, 65535), point: integer('Point on the loop, 0–65535.', 0, 65535) }),
      ],
      { description: 'Component address. Default: loop = the bus position from 1, point = the unit id (docs/gbt26875.md, "Addresses").' },
    ),
  ),
  description: Type.Optional(text('Component description, sent as GB 18030, at most 31 bytes (longer text is cut on a character boundary). Default: the device name, else its location.')),
  system: Type.Optional(systemSchema),
});

export const centreSchema = object('A city fire remote monitoring centre, over GB/T 26875.3-2011 (docs/gbt26875.md).', {
  id: idSchema('Destination id: appears in the status, the metrics and the logs. `platform` is taken.'),
  protocol: Defaulted(oneOfStrings('Transmission protocol. gbt26875 = GB/T 26875.3-2011 over TCP (the only one).', ['gbt26875']), 'gbt26875'),
  host: text("The centre's host name or address."),
  port: integer("The centre's TCP port.", 1, 65535),
  sourceAddress: integer("This gateway's address towards the centre (6 bytes, assigned by the centre).", 0, 281_474_976_710_655),
  centreAddress: Defaulted(integer("The centre's address (6 bytes). Default 0.", 0, 281_474_976_710_655), 0),
  userVersion: Defaulted(integer('User version byte of the protocol version (the major version is always 1). Default 0.', 0, 255), 0),
  utcOffsetMinutes: Defaulted(integer('Time zone of the time tags, minutes east of UTC. Default 480 (China Standard Time).', -720, 840), 480),
  tls: Type.Optional(
    object('TLS around the TCP connection, for centres that offer it (the standard itself has none). Relative paths resolve against the config file.', {
      ca: Type.Optional(text("CA bundle (PEM) to verify the centre's certificate. Default: the system store.")),
      cert: Type.Optional(text('Client certificate (PEM); needs key.')),
      key: Type.Optional(text('Client private key (PEM); needs cert.')),
      servername: Type.Optional(text("Server name to verify, if different from host.")),
    }),
  ),
  confirmTimeoutMs: Defaulted(integer('How long a sent packet waits for its confirm before it is sent again (§6.5: 10 s). Default 10000.', 500, 60_000), 10_000),
  resends: Defaulted(integer('Resends of an unconfirmed packet before the connection is dropped and made again (§6.5: 3). Default 3.', 0, 10), 3),
  reconnectMinMs: Defaulted(integer('Reconnect backoff lower bound (ms). Default 1000.', 100, 3_600_000), 1000),
  reconnectMaxMs: Defaulted(integer('Reconnect backoff upper bound (ms). Default 30000.', 100, 3_600_000), 30_000),
  heartbeatS: Defaulted(integer("Seconds of silence after which the transmission device's state (type 21) is sent as a heartbeat. Default 60.", 5, 3600), 60),
  route: Defaulted(routeSchema('Default: alarms, faults, restores, tamper, offline/online and tests; no readings.'), { kinds: [...CENTRE_KINDS], readings: false }),
  system: Defaulted(systemSchema, { type: 1, address: 1 }),
  devices: Defaulted(record('Per-device settings by device id (devices[].id, gpio.inputs[].id, tags.readers[].id).', ID_PATTERN, deviceOverrideSchema), {}),
});

export const centresSchema = Type.Array(centreSchema, {
  description: 'Fire remote monitoring centres the gateway reports to, beside the platform. Each has its own connection and backlog.',
});
