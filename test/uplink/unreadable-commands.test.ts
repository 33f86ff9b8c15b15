import t from 'tap';
import type { Codec } from '../../src/uplink/codec.js';
import { handleCommandMessage, unreadableCommands } from '../../src/uplink/commands.js';

t.test('garbage on the command topics is counted and logged once a minute, not once a message', async (t) => {
  const codec = { decodeCommand: () => { throw new Error('not JSON'); } } as unknown as Codec;
  const warnings: unknown[] = [];
  const logger = { warn: (o: unknown) => void warnings.push(o), error: () => undefined } as never;
  let handled = 0;
  const ctx = { codec, handler: () => void handled++, logger, publish: async () => true };
  for (let i = 0; i < 500; i++) t.equal(handleCommandMessage(ctx, 'cmd/topic', Buffer.from('{')), true);
  t.equal(handled, 0, 'nothing reaches the handler');
  t.equal(unreadableCommands(codec), 500, 'every one counted');
  t.equal(warnings.length, 1, 'one log line');
  t.match(warnings[0], { unreadableSinceLastLog: 1, topic: 'cmd/topic' });
});
