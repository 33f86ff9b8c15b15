import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { AuditLog, type AuditEntry } from '../remote/audit-log.js';
import { matchFolderOwner } from '../storage/state-owner.js';

/**
 * Puts a change made on the command line (users, tokens) in the gateway's audit log, beside what
 * the API and remote commands record: who ran it (the sudo user when there is one) and what. Root
 * appending to a log that did not exist yet would leave a file the service cannot append to, so
 * the file is handed to the state folder's owner afterwards.
 */
export function auditCliChange(
  stateDir: string,
  command: string,
  params: Record<string, unknown>,
  result: { outcome: AuditEntry['outcome']; code: string; message?: string; device?: string } = { outcome: 'done', code: 'OK' },
): void {
  const log = new AuditLog(stateDir);
  const who = process.env.SUDO_USER ?? safeUserName();
  log.append({ at: Date.now(), by: `cli:${who}`, command, id: randomUUID(), params, ...result, user: who, via: 'cli' });
  try {
    matchFolderOwner(log.path, dirname(log.path));
  } catch {
    // the entry is written; ownership is the service's problem to report when it appends
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
