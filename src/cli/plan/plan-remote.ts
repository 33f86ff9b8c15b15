import { READ_ONLY_COMMANDS } from '../../config/sections/platform-codecs.js';
import type { HearthConfig } from '../../config/types.js';

/** Remote management as `hearth check` shows it: what can run, signed or not, and what the installer should know. */
export function describeRemote(config: HearthConfig): string[] {
  const r = config.remote;
  const keys = r?.keys.length ?? 0;
  const receipts =
    config.platform.codec === 'native' && !config.platform.unsignedReceipts && keys === 0 && config.platform.kind !== 'embedded'
      ? ['  note     native receipts must be signed with a remote.keys key (or platform.unsignedReceipts behind broker ACLs); without one every fire alarm becomes "not confirmed by the receiving centre"']
      : [];
  if (r === undefined || !r.enabled) return ['remote   off', ...receipts];
  const out = [`remote   on: ${r.keys.length} signing key(s) (${r.keys.map((k) => k.id).join(', ') || 'none'}), ${r.ratePerMinute} commands/min, window ±${r.replayWindowMs / 1000} s`];
  const signed = r.allow.filter((c) => !(r.unsigned as readonly string[]).includes(c));
  if (signed.length > 0) out.push(`  signed   ${signed.join(', ')}`);
  if (r.unsigned.length > 0) out.push(`  unsigned ${r.unsigned.join(', ')} (read-only)`);
  out.push(`  local    gateway, remote, outbox.path${r.delegate.includes('actions') ? '' : ', actions'} cannot be changed remotely`);
  const mutating = r.allow.filter((c) => !(READ_ONLY_COMMANDS as readonly string[]).includes(c));
  if (r.keys.length === 0 && mutating.length > 0) {
    out.push(`  note     no remote.keys: ${mutating.join(', ')} will be refused until a key is added (hearth keygen)`);
  }
  return [...out, ...receipts];
}
