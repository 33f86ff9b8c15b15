/**
 * Why the broker did not take a publish, and whether asking again can help.
 *
 * MQTT 5.0 (OASIS Standard, 7 March 2019) §3.4.2.1 "PUBACK Reason Code" lists what a broker may
 * answer to a QoS 1 PUBLISH: 0x00 Success, 0x10 No matching subscribers (also a success; mqtt.js
 * does not report it as an error), and the failures below. mqtt.js passes a failure's reason code
 * to the publish callback as `err.code` (a number).
 *
 * Permanent: the same message will be refused again until someone changes the platform's ACL or
 * the gateway's config. Transient: the broker could take it later. Anything else (no code at all,
 * as with MQTT 3.1.1, or a code that is not a PUBACK code, such as 0x8F Topic Filter invalid, which
 * belongs to SUBACK) is treated as transient: retrying costs a message, parking would hide data.
 */
export const PUBACK_REASON = {
  UNSPECIFIED_ERROR: 0x80,
  IMPLEMENTATION_SPECIFIC_ERROR: 0x83,
  NOT_AUTHORIZED: 0x87,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_IDENTIFIER_IN_USE: 0x91,
  QUOTA_EXCEEDED: 0x97,
  PAYLOAD_FORMAT_INVALID: 0x99,
} as const;

const NAMES: Record<number, string> = {
  0x80: 'unspecified error',
  0x83: 'implementation specific error',
  0x87: 'not authorized',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
};

const PERMANENT: ReadonlySet<number> = new Set([PUBACK_REASON.NOT_AUTHORIZED, PUBACK_REASON.TOPIC_NAME_INVALID, PUBACK_REASON.PAYLOAD_FORMAT_INVALID]);

export interface Refusal {
  /** The PUBACK reason code, when the broker sent one. */
  code: number | undefined;
  permanent: boolean;
  /** For logs, fault messages and park notices, e.g. "reason code 0x87 (not authorized)". */
  reason: string;
}

/** Reads a refused publish's error (mqtt.js ErrorWithReasonCode or any other error). */
export function classifyRefusal(err: Error): Refusal {
  const raw = (err as { code?: unknown }).code;
  if (typeof raw !== 'number') return { code: undefined, permanent: false, reason: err.message || 'publish not confirmed' };
  return { code: raw, permanent: PERMANENT.has(raw), reason: describeReasonCode(raw) };
}

/** A record that cannot be encoded will not encode better on the next try. */
export function encodeFailure(err: unknown): Refusal {
  return { code: undefined, permanent: true, reason: `cannot be encoded: ${err instanceof Error ? err.message : String(err)}` };
}

export function describeReasonCode(code: number): string {
  const hex = `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  const name = NAMES[code];
  return name === undefined ? `reason code ${hex}` : `reason code ${hex} (${name})`;
}
