import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { HearthError } from '../errors.js';

/**
 * Ed25519 keys as an installer writes them into the config: the 32-byte public key in base64 (what
 * most tools print), the same key as base64 SubjectPublicKeyInfo DER, or a PEM block. Ed25519
 * (RFC 8032) because it is small, fast on a Pi, deterministic (no per-signature randomness to get
 * wrong) and in Node's crypto without extra packages.
 */

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the raw key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      key = createPublicKey(trimmed);
    } else {
      const der = Buffer.from(trimmed, 'base64');
      if (der.length === 32) key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, der]), format: 'der', type: 'spki' });
      else key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
  } catch (err) {
    throw new HearthError('KEY_INVALID', `not a public key (base64 of the 32-byte Ed25519 key, base64 SPKI DER, or PEM): ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new HearthError('KEY_INVALID', `an Ed25519 key is needed, this one is ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

export function parsePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new HearthError('KEY_INVALID', `an Ed25519 private key is needed, this one is ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** The 32-byte public key in base64: the form the config takes. */
export function publicKeyText(key: KeyObject): string {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length).toString('base64');
}

export function generateSigningKey(): { privateKeyPem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: publicKeyText(publicKey) };
}

/** The keys a gateway trusts, by the id the installer gave each. */
export class TrustedKeys {
  private readonly keys = new Map<string, KeyObject>();

  constructor(entries: readonly { id: string; publicKey: string }[] = []) {
    for (const e of entries) this.keys.set(e.id, parsePublicKey(e.publicKey));
  }

  get size(): number {
    return this.keys.size;
  }

  get(id: string): KeyObject | undefined {
    return this.keys.get(id);
  }
}
