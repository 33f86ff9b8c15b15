import { Type } from '@sinclair/typebox';
import { flag, ID_PATTERN, idSchema, integer, locationSchema, object, oneOfStrings, record, SEVERITIES, text } from './common.js';
import { Defaulted } from './defaulted.js';

/** Schema of the `tags` section: tag groups and serial tag readers. */

const tagId = () => Type.String({ pattern: '^[0-9A-Za-z]{4,64}$', description: 'A tag id as the reader reports it (hex; case does not matter).' });

export const tagListSchema = (what: string) =>
  object(what, {
    tags: Defaulted(Type.Array(tagId(), { description: 'Tag ids.' }), []),
    groups: Defaulted(Type.Array(idSchema('A group name.'), { description: 'Names of groups (tags.groups).' }), []),
  });

export const tagReaderSchema = object(
  'An electronic-tag reader on a serial line (or a TCP serial server), e.g. at the elevator or a stairwell door.',
  {
    id: idSchema('Device id of the reader, unique among devices, inputs and tag readers.'),
    name: Type.Optional(text('Human-readable name, e.g. "Elevator reader, ground floor".')),
    protocol: oneOfStrings('rdm6300 (125 kHz EM4100), ascii-line (one id per text line, see pattern), uhf-m100 (MagicRF M100 UHF modules).', [
      'rdm6300',
      'ascii-line',
      'uhf-m100',
    ]),
    port: Type.Optional(text('Serial device, e.g. /dev/ttyUSB1 or /dev/serial/by-id/...')),
    tcp: Type.Optional(Type.String({ pattern: '^.+:\\d{1,5}$', description: 'host:port of a TCP serial server instead of a local port.' })),
    baudRate: Type.Optional(integer('Line speed. Default: 9600 (rdm6300, ascii-line), 115200 (uhf-m100).', 1200, 921_600)),
    pattern: Type.Optional(text('ascii-line only: regex applied to each line; its first group (or the match) is the tag id.')),
    dwellMs: Defaulted(integer('A tag must be seen this long (ms) before it counts as arrived. Default 0.', 0, 600_000), 0),
    absenceMs: Defaulted(integer('A tag not seen for this long (ms) has left. Default 1500.', 100, 600_000), 1500),
    deny: Type.Optional(tagListSchema('Tags that raise an alarm at this reader, e.g. registered e-bike tags at the elevator.')),
    allow: Type.Optional(tagListSchema('If given, any tag not on it raises an alarm at this reader.')),
    alarmSeverity: Defaulted(oneOfStrings('Severity of the alarm a denied tag raises. Default critical.', SEVERITIES), 'critical'),
    location: locationSchema('Where the reader is (at least one field).'),
    enabled: Defaulted(flag('Set false to keep the reader in the config without opening it. Default true.'), true),
  },
);

export const tagsSchema = object('Electronic tags: named groups of tag ids and the readers that see them.', {
  groups: Defaulted(record('Named groups of tag ids, e.g. ebikes: [0A1B2C3D4E].', ID_PATTERN, Type.Array(tagId())), {}),
  readers: Defaulted(Type.Array(tagReaderSchema, { description: 'Tag readers.' }), []),
});
