import { parsePublicKey } from '../signing/keys.js';
import type { Finding } from './finding.js';
import type { HearthConfig } from './types.js';

/** Remote management: every trusted key parses, key ids are unique, unsigned commands are also allowed. */
export function checkRemote(config: HearthConfig): Finding[] {
  const remote = config.remote;
  if (remote === undefined) return [];
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  remote.keys.forEach((k, i) => {
    const first = seen.get(k.id);
    if (first !== undefined) findings.push({ segments: ['remote', 'keys', i, 'id'], message: `duplicate key id '${k.id}' (also remote.keys[${first}])` });
    else seen.set(k.id, i);
    try {
      parsePublicKey(k.publicKey);
    } catch (err) {
      findings.push({ segments: ['remote', 'keys', i, 'publicKey'], message: (err as Error).message });
    }
  });
  remote.unsigned.forEach((name, i) => {
    if (!remote.allow.includes(name)) findings.push({ segments: ['remote', 'unsigned', i], message: `'${name}' runs unsigned only if remote.allow lists it too` });
  });
  return findings;
}
