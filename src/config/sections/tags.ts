import { flag, idSchema, integer, locationSchema, object, oneOfStrings, SEVERITIES, text, type JsonSchema } from './common.js';

/** Schema of the `tags` section: tag groups and serial tag readers (types in ../io-types.ts). */

const TAG_ID = { type: 'string', pattern: '^[0-9A-Za-z]{4,64}$', description: 'A tag id as the reader reports it (hex; case does not matter).' };

const listSchema = (what: string): JsonSchema =>
  object(
    what,
    {
      tags: { type: 'array', description: 'Tag ids.', items: TAG_ID, default: [] },
      groups: { type: 'array', description: 'Names of groups (tags.groups).', items: idSchema('A group name.'), default: [] },
    },
  );

const readerSchema: JsonSchema = object(
  'An electronic-tag reader on a serial line (or a TCP serial server), e.g. at the elevator or a stairwell door.',
  {
    id: idSchema('Device id of the reader, unique among devices, inputs and tag readers.'),
    name: text('Human-readable name, e.g. "Elevator reader, ground floor".'),
    protocol: oneOfStrings('rdm6300 (125 kHz EM4100), ascii-line (one id per text line, see pattern), uhf-m100 (MagicRF M100 UHF modules).', ['rdm6300', 'ascii-line', 'uhf-m100']),
    port: text('Serial device, e.g. /dev/ttyUSB1 or /dev/serial/by-id/...'),
    tcp: { type: 'string', pattern: '^.+:\\d{1,5}$', description: 'host:port of a TCP serial server instead of a local port.' },
    baudRate: integer('Line speed. Default: 9600 (rdm6300, ascii-line), 115200 (uhf-m100).', 1200, 921_600),
    pattern: text('ascii-line only: regex applied to each line; its first group (or the match) is the tag id.'),
    dwellMs: integer('A tag must be seen this long (ms) before it counts as arrived. Default 0.', 0, 600_000, 0),
    absenceMs: integer('A tag not seen for this long (ms) has left. Default 1500.', 100, 600_000, 1500),
    deny: listSchema('Tags that raise an alarm at this reader, e.g. registered e-bike tags at the elevator.'),
    allow: listSchema('If given, any tag not on it raises an alarm at this reader.'),
    alarmSeverity: oneOfStrings('Severity of the alarm a denied tag raises. Default critical.', SEVERITIES, 'critical'),
    location: { ...locationSchema, description: 'Where the reader is (at least one field).' },
    enabled: flag('Set false to keep the reader in the config without opening it. Default true.', true),
  },
  ['id', 'protocol', 'location'],
);

export const tagsSchema: JsonSchema = object(
  'Electronic tags: named groups of tag ids and the readers that see them.',
  {
    groups: {
      type: 'object',
      description: 'Named groups of tag ids, e.g. ebikes: [0A1B2C3D4E].',
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      additionalProperties: { type: 'array', items: TAG_ID },
      default: {},
    },
    readers: { type: 'array', description: 'Tag readers.', items: readerSchema, default: [] },
  },
);
