import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { sealEnvelope } from '../../src/signing/envelope.js';
import { publicKeyText } from '../../src/signing/keys.js';
import type { PlatformCommand } from '../../src/uplink/codec.js';

/** An operator's key pair: the private half signs, the public half goes into remote.keys. */
export interface Operator {
  kid: string;
  privateKey: KeyObject;
  /** The remote.keys entry. */
  entry: { id: string; publicKey: string };
}

export function operator(kid = 'ops'): Operator {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { kid, privateKey, entry: { id: kid, publicKey: publicKeyText(privateKey) } };
}

export interface SignOptions {
  gw?: string;
  device?: string;
  ts: number;
  nonce?: string;
}

/** The params a platform command carries for a signed `name` with `params`. */
export function signedParams(op: Operator, name: string, params: Record<string, unknown>, o: SignOptions): { signed: string; sig: string } {
  const body = { v: 1, gw: o.gw ?? 'gw-1', cmd: name, ...(o.device !== undefined ? { device: o.device } : {}), params, ts: o.ts, nonce: o.nonce ?? randomBytes(6).toString('hex') };
  return sealEnvelope(body, op.privateKey, op.kid);
}

/** A platform command (as a codec decodes it) carrying a signed command. */
export function signedCommand(op: Operator, id: string, name: string, params: Record<string, unknown>, o: SignOptions): PlatformCommand {
  return { id, name, params: signedParams(op, name, params, o), topic: 't', ...(o.device !== undefined ? { deviceId: o.device } : {}) };
}
