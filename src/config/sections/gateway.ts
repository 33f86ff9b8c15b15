import { Type } from '@sinclair/typebox';
import { idSchema, locationSchema, object, oneOfStrings, text } from './common.js';
import { Defaulted } from './defaulted.js';

export const gatewaySchema = object('This gateway: its identity towards the platform, where it is, where it keeps its state.', {
  id: idSchema('Gateway id, unique per platform; appears in every topic, reading and event.'),
  name: Type.Optional(text('Human-readable name shown in the console, e.g. "Lindenstrasse 4".')),
  location: Defaulted(locationSchema('Where the gateway is installed (site address, cabinet).', 0), {}),
  stateDir: Defaulted(text("State directory (outbox, small state). Relative paths resolve against the config file's folder."), '/var/lib/hearth'),
  clockSync: Defaulted(
    oneOfStrings('How clock synchronization is detected: auto (systemd-timesyncd flag), assume-synced, never.', ['auto', 'assume-synced', 'never']),
    'auto',
  ),
});
