import { flag, idSchema, integer, locationSchema, object, POINT_NAME_PATTERN, text, thresholdSchema, type JsonSchema } from './common.js';

const reportingSchema = object('Report-by-exception overrides for one point.', {
  deadband: { type: 'number', minimum: 0, description: 'Publish only if the value moved more than this (point unit).' },
  maxSilenceMs: integer('Publish at least this often (ms) even without change.', 1000, 86_400_000),
});

export const deviceSchema: JsonSchema = object(
  'One field device: which model it is (profile), where it is on which bus, and where it is in the building.',
  {
    id: idSchema('Device id, unique on this gateway; appears in readings, events and topics.'),
    name: text('Human-readable name, e.g. "Smoke detector stairwell 2nd floor".'),
    profile: text(
      'Device model: a profile name (file stem, searched in profilePaths, then the shipped drivers/modbus/profiles) or a path to a profile file (contains "/" or ends in .yaml).',
    ),
    bus: idSchema('Id of the bus (buses[].id) the device is connected to.'),
    address: integer('Modbus unit id (slave address) set on the device, 1-247.', 1, 247),
    pollIntervalMs: integer('How often the device is read, in ms. Default 1000.', 100, 86_400_000, 1000),
    location: { ...locationSchema, description: 'Where the device is: building, floor, room (at least one).' },
    thresholds: {
      type: 'object',
      description: "Per-point overrides of the profile's default thresholds, merged field by field. Keys are point names.",
      propertyNames: { pattern: POINT_NAME_PATTERN },
      additionalProperties: thresholdSchema,
      default: {},
    },
    reporting: {
      type: 'object',
      description: 'Per-point overrides of report-by-exception settings. Keys are point names.',
      propertyNames: { pattern: POINT_NAME_PATTERN },
      additionalProperties: reportingSchema,
      default: {},
    },
    offline: object(
      'When a silent device becomes an offline fault event.',
      {
        afterPolls: integer('Consecutive polls with no valid answer before the offline event. Default 3.', 1, 1000, 3),
        afterMs: integer('...or this long (ms) since the last valid answer, whichever comes first. Default 30000.', 1000, 86_400_000, 30_000),
      },
      [],
      { default: {} },
    ),
    backoff: object(
      'Per-device backoff, so one dead device does not stall the others on its bus.',
      {
        initialMs: integer('First retry delay (ms) after the device went silent. Default: the poll interval.', 100, 3_600_000),
        maxMs: integer('Upper bound (ms) of the backoff. Default 60000.', 100, 3_600_000, 60_000),
      },
      [],
      { default: {} },
    ),
    enabled: flag('Set false to keep a device in the config without polling it. Default true.', true),
  },
  ['id', 'profile', 'bus', 'address', 'location'],
);

export const devicesSchema: JsonSchema = {
  type: 'array',
  description: 'Field devices, each on one bus.',
  items: deviceSchema,
  default: [],
};
