import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Codec, CommandResult, OutboundMessage, PlatformCommand } from './codec.js';

export type CommandHandler = (command: PlatformCommand, reply: (result: CommandResult) => void) => void;

/**
 * Unreadable commands per codec (one codec per session): counted, and logged once and then at most
 * once a minute with the count since, so garbage on a shared broker cannot flood the journal.
 */
const unreadable = new WeakMap<Codec, { count: number; logged: number; loggedAt: number }>();
const UNREADABLE_LOG_EVERY_MS = 60_000;

/** Unreadable messages on the command topics since the session started. */
export function unreadableCommands(codec: Codec): number {
  return unreadable.get(codec)?.count ?? 0;
}

function noteUnreadable(codec: Codec, logger: Logger, err: unknown, topic: string, bytes: number): void {
  let u = unreadable.get(codec);
  if (u === undefined) unreadable.set(codec, (u = { count: 0, logged: 0, loggedAt: -Infinity }));
  u.count++;
  const now = performance.now();
  if (now - u.loggedAt < UNREADABLE_LOG_EVERY_MS) return;
  logger.warn({ err: (err as Error).message, topic, bytes, unreadableSinceLastLog: u.count - u.logged }, 'uplink: unreadable command ignored');
  u.logged = u.count;
  u.loggedAt = now;
}

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
    noteUnreadable(codec, logger, err, topic, payload.length);
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
