import { randomUUID } from 'node:crypto';
import type { CommandAuditRecord } from '../devices/device-commands.js';
import type { AuditEntry } from './audit-log.js';

/** A device command's run as an entry of the gateway's audit log: who, what, and what the device did. */
export function commandAuditEntry(r: CommandAuditRecord): AuditEntry {
  const { outcome, caller } = r;
  return {
    at: r.at,
    by: caller.by,
    command: `device ${r.command}`,
    id: randomUUID(),
    device: r.device,
    params: { ...r.params, result: outcome.result, attempts: outcome.attempts, ms: outcome.ms, ...(outcome.readBack ? { readBack: outcome.readBack } : {}), ...(caller.confirmed ? { confirmed: true } : {}) },
    outcome: outcome.ok ? 'done' : 'failed',
    code: outcome.result.toUpperCase(),
    ...(outcome.detail ? { message: outcome.detail } : {}),
    via: caller.via,
  };
}
