import type { PlatformRules } from '../../config/sections/platform-rules.js';
import type { Codec, OutboundMessage } from '../codec.js';

/** Codec methods that return messages to publish. */
const EMITTING = new Set<PropertyKey>(['encodeStatus', 'encodeTelemetry', 'encodeEvent', 'encodeEvents', 'willMessage', 'onlineMessages', 'offlineMessages', 'statusHistory', 'encodeCommandResult']);

/**
 * The codec as the session uses it: every message it emits is held to the platform's rules (no
 * retain where the platform keeps none, QoS at most what it supports). The codecs already emit
 * conforming messages (test/contract/ checks each against the rules and a published schema); this
 * is the run-time guard, so a platform never sees a flag it refuses, whatever a codec does.
 */
export function conformingCodec(codec: Codec, rules: PlatformRules): Codec {
  return new Proxy(codec, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !EMITTING.has(prop)) return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => OutboundMessage | OutboundMessage[] | undefined).apply(target, args);
        if (out === undefined) return out;
        return Array.isArray(out) ? out.map((m) => conform(m, rules)) : conform(out, rules);
      };
    },
  });
}

export function conform(m: OutboundMessage, rules: PlatformRules): OutboundMessage {
  if ((m.retain && !rules.retain) || m.qos > rules.maxQos) return { ...m, retain: m.retain && rules.retain, qos: Math.min(m.qos, rules.maxQos) as 0 | 1 };
  return m;
}
