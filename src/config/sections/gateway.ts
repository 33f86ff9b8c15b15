import { idSchema, object, oneOfStrings, text, locationSchema, type JsonSchema } from './common.js';

export const gatewaySchema: JsonSchema = object(
  'This gateway: its identity towards the platform, where it is, where it keeps its state.',
  {
    id: idSchema('Gateway id, unique per platform; appears in every topic, reading and event.'),
    name: text('Human-readable name shown in the console, e.g. "Lindenstrasse 4".'),
    location: { ...locationSchema, description: 'Where the gateway is installed (site address, cabinet).', minProperties: 0, default: {} },
    stateDir: text('State directory (outbox, small state). Relative paths resolve against the config file\'s folder.', '/var/lib/hearth'),
    clockSync: oneOfStrings(
      'How clock synchronization is detected: auto (systemd-timesyncd flag), assume-synced, never.',
      ['auto', 'assume-synced', 'never'],
      'auto',
    ),
  },
  ['id'],
);
