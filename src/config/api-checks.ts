import type { HearthConfig } from './types.js';
import { unreadable, type Finding } from './finding.js';

/** The api section: HTTPS needs both certificate and key, and both readable on the gateway. */
export function checkApi(config: HearthConfig, opts: { checkFiles: boolean }): Finding[] {
  const tls = config.api.tls;
  if (tls === undefined) return [];
  const findings: Finding[] = [];
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    findings.push({ segments: ['api', 'tls', tls.cert === undefined ? 'cert' : 'key'], message: 'certificate and key must be given together' });
  }
  if (opts.checkFiles) {
    for (const key of ['cert', 'key'] as const) {
      const file = tls[key];
      const problem = file === undefined ? undefined : unreadable(file);
      if (problem) findings.push({ segments: ['api', 'tls', key], message: `cannot read ${file} (${problem})` });
    }
  }
  return findings;
}
