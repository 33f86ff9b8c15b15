import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Codec, CommandResult, OutboundMessage, PlatformCommand } from './codec.js';

export type CommandHandler = (command: PlatformCommand, reply: (result: CommandResult) => void) => void;

/**
 * A message on one of the codec's command topics: decoded by the codec, handed to the handler, and
 * the handler's answer published on the same connection. Returns false when the topic is not a
 * command topic (the message is something else, e.g. a receipt). Never throws into the MQTT client.
 */
export function handleCommandMessage(
  ctx: { codec: Codec; handler: CommandHandler | undefined; logger: Logger; publish: (m: OutboundMessage) => Promise<boolean> },
  topic: string,
  payload: Buffer,
): boolean {
  const { codec, handler, logger } = ctx;
  if (handler === undefined || codec.decodeCommand === undefined) return false;
  let command: PlatformCommand | undefined;
  try {
    command = codec.decodeCommand(topic, payload);
  } catch (err) {
    logger.warn({ err: (err as Error).message, topic, bytes: payload.length }, 'uplink: unreadable command ignored');
    return true;
  }
  if (command === undefined) return false;
  const cmd = command;
  try {
    handler(cmd, (result) => {
      if (codec.encodeCommandResult === undefined) return;
      void ctx.publish(codec.encodeCommandResult(cmd, result)).then(
        (ok) => {
          if (!ok) logger.warn({ command: cmd.name, id: cmd.id }, 'uplink: command result not delivered');
        },
        (err: unknown) => logger.error({ err, command: cmd.name, id: cmd.id }, 'uplink: command result not delivered'),
      );
    });
  } catch (err) {
    logger.error({ err, command: cmd.name }, 'uplink: command handler failed');
  }
  return true;
}
