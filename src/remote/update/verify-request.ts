import { closeSync, fstatSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { isEnvelope, openEnvelope } from '../../signing/envelope.js';
import { TrustedKeys } from '../../signing/keys.js';
import { validateParams } from '../command-catalog.js';
import type { UpdateRequest } from './update-files.js';

/**
 * The root updater's check of a request the unprivileged service wrote (scripts/lib/update.sh runs
 * it from the release that is current, which root owns). Nothing in the request is trusted: the
 * signature is verified against the keys in a file only root can write (/etc/hearth-keys/update.keys:
 * the service can rewrite /etc/hearth/hearth.yaml, so the keys there cannot vouch for an install
 * as root), the command must be update_software for this gateway, signed recently, with valid
 * parameters, and not applied before. Prints one JSON line; exit 0 when the request may proceed.
 */
export interface Verified {
  ok: true;
  version: string;
  url: string;
  sha256: string;
  size: number;
  digest: string;
  keyId: string;
  ts: number;
  bundle: string;
  from: string;
}

export type Verdict = Verified | { ok: false; code: string; message: string };

export interface VerifyOptions {
  request: string;
  keys: string;
  /** The gateway id the command must be signed for (from the live config); unchecked when absent. */
  gatewayId?: string;
  /** Digests of requests already applied, one per line (root's own file). */
  applied?: string;
  /** Oldest signature accepted (default 1 h: the download and a queued restart fit in it). */
  maxAgeMs?: number;
  now?: number;
}

const MAX_REQUEST_BYTES = 1024 * 1024;

/** `id base64-key` per line, `#` comments: what install.sh writes and an installer edits. */
export function readKeysFile(path: string): TrustedKeys {
  const entries: { id: string; publicKey: string }[] = [];
  for (const [i, raw] of readFileSync(path, 'utf8').split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`${path}:${i + 1}: expected "key-id base64-public-key"`);
    entries.push({ id: m[1]!, publicKey: m[2]! });
  }
  return new TrustedKeys(entries);
}

export function verifyRequest(o: VerifyOptions): Verdict {
  const now = o.now ?? Date.now();
  let request: UpdateRequest;
  try {
    request = JSON.parse(readSmall(o.request)) as UpdateRequest;
  } catch (err) {
    // Never the parser's message: it quotes the content, and the result is readable by the service.
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof SyntaxError ? 'not JSON' : 'unreadable');
    return { ok: false, code: 'request_unreadable', message: `${o.request}: ${why}` };
  }
  if (!isEnvelope(request.envelope)) return { ok: false, code: 'unsigned', message: 'the request carries no signed command (envelope.signed, envelope.sig)' };
  if (typeof request.bundle !== 'string') return { ok: false, code: 'request_unreadable', message: 'bundle: the path of the download is missing' };
  let keys: TrustedKeys;
  try {
    keys = readKeysFile(o.keys);
  } catch (err) {
    return { ok: false, code: 'no_update_keys', message: `cannot read the update keys: ${(err as Error).message}` };
  }
  if (keys.size === 0) return { ok: false, code: 'no_update_keys', message: `${o.keys} lists no key: no remote update can be verified` };
  const opened = openEnvelope(request.envelope, keys);
  if (!opened.ok) return { ok: false, code: opened.reason === 'malformed' ? 'invalid' : 'bad_signature', message: opened.message };
  const b = opened.body;
  if (b.v !== 1 || b.cmd !== 'update_software') return { ok: false, code: 'invalid', message: `signed command is '${String(b.cmd)}', not update_software` };
  if (o.gatewayId !== undefined && b.gw !== o.gatewayId) return { ok: false, code: 'unauthorized', message: `signed for gateway '${String(b.gw).slice(0, 64)}', this is '${o.gatewayId}'` };
  const ts = b.ts;
  if (typeof ts !== 'number') return { ok: false, code: 'invalid', message: 'signed.ts missing' };
  const maxAge = o.maxAgeMs ?? 3_600_000;
  if (now - ts > maxAge || ts - now > 300_000) return { ok: false, code: 'stale', message: `signed ${Math.round((now - ts) / 1000)} s ago; the updater accepts at most ${maxAge / 1000} s` };
  const params = (b.params ?? {}) as Record<string, unknown>;
  const problems = validateParams('update_software', params);
  if (problems.length > 0) return { ok: false, code: 'invalid', message: problems.join('; ') };
  if (o.applied !== undefined && appliedBefore(o.applied, opened.digest)) return { ok: false, code: 'replayed', message: 'this signed update was already applied' };
  return {
    ok: true,
    version: params.version as string,
    url: params.url as string,
    sha256: params.sha256 as string,
    size: params.size as number,
    digest: opened.digest,
    keyId: opened.keyId,
    ts,
    bundle: request.bundle,
    from: typeof request.from === 'string' ? request.from : 'unknown',
  };
}

function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_REQUEST_BYTES) throw new Error(`larger than ${MAX_REQUEST_BYTES} bytes`);
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, 0);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function appliedBefore(file: string, digest: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n').includes(digest);
  } catch {
    return false;
  }
}

function gatewayIdOf(configPath: string): string | undefined {
  try {
    const doc = parseYaml(readFileSync(configPath, 'utf8')) as { gateway?: { id?: unknown } } | null;
    return typeof doc?.gateway?.id === 'string' ? doc.gateway.id : undefined;
  } catch {
    return undefined;
  }
}

function main(): void {
  const { values } = parseArgs({
    options: { request: { type: 'string' }, keys: { type: 'string' }, config: { type: 'string' }, applied: { type: 'string' }, 'max-age': { type: 'string' } },
  });
  if (values.request === undefined || values.keys === undefined) {
    process.stderr.write('usage: verify-request --request FILE --keys FILE [--config FILE] [--applied FILE] [--max-age S]\n');
    process.exit(64);
  }
  const gatewayId = values.config !== undefined ? gatewayIdOf(values.config) : undefined;
  const verdict = verifyRequest({
    request: values.request,
    keys: values.keys,
    ...(gatewayId !== undefined ? { gatewayId } : {}),
    ...(values.applied !== undefined ? { applied: values.applied } : {}),
    ...(values['max-age'] !== undefined ? { maxAgeMs: Number(values['max-age']) * 1000 } : {}),
  });
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
  process.exit(verdict.ok ? 0 : 1);
}

// Run as a script (through the `current` link: Node reports the module by its real path).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) main();
