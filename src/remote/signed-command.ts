import { isEnvelope, openEnvelope } from '../signing/envelope.js';
import type { TrustedKeys } from '../signing/keys.js';
import type { PlatformCommand } from '../uplink/codec.js';

/**
 * A command as the gateway runs it, whoever carried it. Signed commands travel in the platform's
 * own command format with two parameters, `signed` and `sig` (src/signing/envelope.ts); what was
 * signed is:
 *   { "v": 1, "kid": key id, "gw": gateway id, "cmd": command name, "device"?: device id,
 *     "params": { … }, "ts": ms since the epoch, "nonce"?: any string }
 * The platform's own command name must be the signed one, or `signed` for platforms whose command
 * set is fixed in a product model. Everything the gateway acts on comes from the signed body; the
 * platform's wrapping (request id, topic) only routes the answer.
 */
export interface GatewayCommand {
  name: string;
  params: Record<string, unknown>;
  deviceId?: string;
  /** Signed commands: when it was issued, what identifies it for replay protection, and by which key. */
  signed?: { ts: number; digest: string; keyId: string };
}

export type Reading = { ok: true; command: GatewayCommand } | { ok: false; code: 'unsigned' | 'bad_signature' | 'invalid' | 'unauthorized'; message: string };

/** The generic platform command name that carries any signed command. */
export const GENERIC_NAME = 'signed';

export function readCommand(cmd: PlatformCommand, keys: TrustedKeys, gatewayId: string): Reading {
  const envelope = { signed: cmd.params.signed, sig: cmd.params.sig };
  if (!isEnvelope(envelope)) {
    if (cmd.params.signed !== undefined || cmd.params.sig !== undefined) return { ok: false, code: 'invalid', message: 'params.signed and params.sig must both be strings' };
    const { ts: _ts, ...params } = cmd.params;
    return { ok: true, command: { name: cmd.name, params, ...(cmd.deviceId !== undefined ? { deviceId: cmd.deviceId } : {}) } };
  }
  const opened = openEnvelope(envelope, keys);
  if (!opened.ok) return { ok: false, code: opened.reason === 'malformed' ? 'invalid' : 'bad_signature', message: opened.message };
  const b = opened.body;
  if (b.v !== 1) return { ok: false, code: 'invalid', message: 'signed.v: must be 1' };
  if (b.gw !== gatewayId) return { ok: false, code: 'unauthorized', message: `signed for gateway '${String(b.gw).slice(0, 64)}', this is '${gatewayId}'` };
  if (typeof b.cmd !== 'string') return { ok: false, code: 'invalid', message: 'signed.cmd: the command name is required' };
  if (cmd.name !== b.cmd && cmd.name !== GENERIC_NAME) return { ok: false, code: 'invalid', message: `sent as '${cmd.name}' but signed as '${b.cmd}'` };
  if (typeof b.ts !== 'number' || !Number.isFinite(b.ts)) return { ok: false, code: 'invalid', message: 'signed.ts: required (ms since the epoch when the command was issued)' };
  const params = b.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return { ok: false, code: 'invalid', message: 'signed.params: must be an object' };
  if (b.device !== undefined && typeof b.device !== 'string') return { ok: false, code: 'invalid', message: 'signed.device: must be a device id' };
  const outer = cmd.deviceId;
  if (outer?.startsWith('unknown:')) return { ok: false, code: 'unauthorized', message: `addressed to a device this gateway does not have (${outer.slice(8)})` };
  if (outer !== undefined && b.device !== undefined && outer !== b.device) return { ok: false, code: 'invalid', message: `sent to device '${outer}' but signed for '${b.device}'` };
  const deviceId = (b.device as string | undefined) ?? outer;
  return {
    ok: true,
    command: {
      name: b.cmd,
      params: params as Record<string, unknown>,
      ...(deviceId !== undefined ? { deviceId } : {}),
      signed: { ts: b.ts, digest: opened.digest, keyId: opened.keyId },
    },
  };
}
