import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export const AUDIT_FILE = 'remote-audit.jsonl';

/** One audited command: who, what, when, outcome. */
export interface AuditEntry {
  /** Wall time (ms) the command was handled. */
  at: number;
  /** Who sent it: always the platform session (`platform:<codec>`); commands have no other way in. */
  by: string;
  command: string;
  id: string;
  device?: string;
  /** Parameters, with bulky or secret values summarized (a whole config is recorded by its version). */
  params: Record<string, unknown>;
  outcome: 'done' | 'rejected' | 'failed';
  code: string;
  message?: string;
}

/**
 * Append-only JSON lines under the state directory, one entry per command, fsynced: the audit
 * must survive the restart a command may cause. Commands are rare, so the cost does not matter.
 */
export class AuditLog {
  readonly path: string;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.path = join(stateDir, AUDIT_FILE);
  }

  append(entry: AuditEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o640 });
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
