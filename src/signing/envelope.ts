import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { TrustedKeys } from './keys.js';

/**
 * A signed message as it travels inside a platform's own format (an RPC's params, a command's
 * paras, the native ack's body): two strings, so no platform reorders or re-encodes what was
 * signed.
 *   signed  base64url of the exact JSON bytes the sender signed; carries `kid` (which key)
 *   sig     base64url of the 64-byte Ed25519 signature over those bytes
 * Verifying the bytes as received (rather than re-serialising parsed JSON) avoids every
 * canonicalisation question. The digest of those bytes identifies the message for replay
 * protection, whatever request id the platform wraps it in.
 */
export interface SignedEnvelope {
  signed: string;
  sig: string;
}

export type Opened =
  | { ok: true; body: Record<string, unknown>; keyId: string; digest: string }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature'; message: string };

/** Largest signed body accepted (a whole config is at most 256 KiB, base64 adds a third). */
const MAX_SIGNED_CHARS = 400_000;

export function isEnvelope(v: unknown): v is SignedEnvelope {
  return typeof v === 'object' && v !== null && typeof (v as SignedEnvelope).signed === 'string' && typeof (v as SignedEnvelope).sig === 'string';
}

export function openEnvelope(envelope: SignedEnvelope, keys: TrustedKeys): Opened {
  if (envelope.signed.length > MAX_SIGNED_CHARS || envelope.sig.length > 100) return { ok: false, reason: 'malformed', message: 'signed message too large' };
  const bytes = Buffer.from(envelope.signed, 'base64url');
  const sig = Buffer.from(envelope.sig, 'base64url');
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed', message: 'signed: not base64url of JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'malformed', message: 'signed: not a JSON object' };
  const kid = (body as { kid?: unknown }).kid;
  if (typeof kid !== 'string') return { ok: false, reason: 'malformed', message: 'signed: kid (the signing key id) missing' };
  const key = keys.get(kid);
  if (key === undefined) return { ok: false, reason: 'unknown_key', message: `signed with key '${kid.slice(0, 64)}', which this gateway does not trust (remote.keys)` };
  if (sig.length !== 64 || !verify(null, bytes, key, sig)) return { ok: false, reason: 'bad_signature', message: `the signature does not verify with key '${kid}'` };
  return { ok: true, body: body as Record<string, unknown>, keyId: kid, digest: createHash('sha256').update(bytes).digest('hex') };
}

/** Signs `body` (which gets `kid`) for a gateway: what the platform side, the CLI and the tests send. */
export function sealEnvelope(body: Record<string, unknown>, privateKey: KeyObject, kid: string): SignedEnvelope {
  const bytes = Buffer.from(JSON.stringify({ ...body, kid }), 'utf8');
  return { signed: bytes.toString('base64url'), sig: sign(null, bytes, privateKey).toString('base64url') };
}
