import type { MqttClient } from 'mqtt';
import type { PlatformConfig } from '../config/types.js';
import { PLATFORM_RULES, type PlatformRules } from '../config/sections/platform-rules.js';
import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Codec, OutboundMessage } from './codec.js';
import { MessageRate } from './message-rate.js';

/** What one platform's rules make of the connection settings (src/config/sections/platform-rules.ts). */
export interface LinkRules {
  rules: PlatformRules;
  /** The configured keepalive, kept inside the platform's range (`hearth check` refuses one outside it). */
  keepaliveS: number;
  /** The pace of every publish, where the platform or the config sets one. */
  pace: MessageRate | undefined;
}

export function linkRules(codec: Codec, platform: PlatformConfig, maxMessagesPerSec?: number): LinkRules {
  const rules = codec.rules ?? PLATFORM_RULES.native;
  const { min, max } = rules.keepaliveS;
  const perSec = maxMessagesPerSec ?? platform.maxMessagesPerSec ?? rules.maxMessagesPerSec;
  return {
    rules,
    keepaliveS: Math.min(max, Math.max(min, platform.keepaliveS)),
    pace: perSec !== undefined ? new MessageRate(perSec) : undefined,
  };
}

/** The last will to register: none where the platform takes none, whatever the codec offers. */
export function willFor(codec: Codec, rules: PlatformRules): OutboundMessage | undefined {
  return rules.will ? codec.willMessage?.() : undefined;
}

/**
 * Publishes messages that are not records (sub-device announcements, offline notices) within the
 * pace, leaving its reserve to events: as many as fit now, the rest as room frees up. Stops when
 * `alive()` turns false (the connection is gone; the next one announces again).
 */
export function publishPaced(client: MqttClient, messages: readonly OutboundMessage[], pace: MessageRate | undefined, alive: () => boolean, logger: Logger): void {
  let next = 0;
  const step = (): void => {
    while (next < messages.length && alive()) {
      if (pace !== undefined && pace.free() <= pace.reserve) {
        setTimeout(step, pace.msUntil(pace.reserve + 1)).unref();
        return;
      }
      const m = messages[next++]!;
      pace?.note();
      client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (err) => {
        if (err && alive()) logger.warn({ err: err.message, topic: m.topic }, 'uplink: sub-device message not confirmed');
      });
    }
  };
  step();
}

/** A message on one of the codec's system topics: the platform's answer to an add or a status update, logged. */
export function handleSystemMessage(codec: Codec, topic: string, payload: Buffer, logger: Logger): boolean {
  if (codec.decodeSystem === undefined) return false;
  try {
    const answer = codec.decodeSystem(topic, payload);
    if (answer === undefined) return false;
    if (answer.failed.length > 0) logger.warn({ what: answer.what, failed: answer.failed.slice(0, 20), succeeded: answer.succeeded }, 'uplink: the platform refused part of a request');
    else logger.debug({ what: answer.what, succeeded: answer.succeeded }, 'uplink: the platform answered');
  } catch (err) {
    logger.warn({ err: (err as Error).message, topic, bytes: payload.length }, 'uplink: unreadable platform answer ignored');
  }
  return true;
}
