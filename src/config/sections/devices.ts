import { Type } from '@sinclair/typebox';
import { flag, idSchema, integer, locationSchema, object, POINT_NAME_PATTERN, record, text, thresholdSchema } from './common.js';
import { Defaulted } from './defaulted.js';

const reportingSchema = object('Report-by-exception overrides for one point.', {
  deadband: Type.Optional(Type.Number({ minimum: 0, description: 'Publish only if the value moved more than this (point unit).' })),
  maxSilenceMs: Type.Optional(integer('Publish at least this often (ms) even without change.', 1000, 86_400_000)),
});

export const offlineSchema = object('When a silent device becomes an offline fault event.', {
  afterPolls: Defaulted(integer('Consecutive polls with no valid answer before the offline event. Default 3.', 1, 1000), 3),
  afterMs: Defaulted(integer('...or this long (ms) since the last valid answer, whichever comes first. Default 30000.', 1000, 86_400_000), 30_000),
});

export const backoffSchema = object('Per-device backoff, so one dead device does not stall the others on its bus.', {
  initialMs: Type.Optional(integer('First retry delay (ms) after the device went silent. Default: the poll interval.', 100, 3_600_000)),
  maxMs: Defaulted(integer('Upper bound (ms) of the backoff. Default 60000.', 100, 3_600_000), 60_000),
});

export const deviceSchema = object(
  'One field device: which model it is (profile), where it is on which bus, and where it is in the building.',
  {
    id: idSchema('Device id, unique on this gateway; appears in readings, events and topics.'),
    name: Type.Optional(text('Human-readable name, e.g. "Smoke detector stairwell 2nd floor".')),
    profile: text(
      'Device model: a profile name (file stem, searched in profilePaths, then the shipped drivers/modbus/profiles) or a path to a profile file (contains "/" or ends in .yaml).',
    ),
    bus: idSchema('Id of the bus (buses[].id) the device is connected to.'),
    address: integer('Modbus unit id (slave address) set on the device, 1-247.', 1, 247),
    pollIntervalMs: Defaulted(integer('How often the device is read, in ms. Default 1000.', 100, 86_400_000), 1000),
    location: locationSchema('Where the device is: building, floor, room (at least one).'),
    thresholds: Defaulted(
      record("Per-point overrides of the profile's default thresholds, merged field by field. Keys are point names.", POINT_NAME_PATTERN, thresholdSchema),
      {},
    ),
    reporting: Defaulted(record('Per-point overrides of report-by-exception settings. Keys are point names.', POINT_NAME_PATTERN, reportingSchema), {}),
    offline: Defaulted(offlineSchema, {}),
    backoff: Defaulted(backoffSchema, {}),
    enabled: Defaulted(flag('Set false to keep a device in the config without polling it. Default true.'), true),
  },
);

export const devicesSchema = Defaulted(Type.Array(deviceSchema, { description: 'Field devices, each on one bus.' }), []);
