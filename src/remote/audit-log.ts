import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../log/logger.js';

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

export interface AuditLogOptions {
  faults?: FaultReporter;
  logger?: Logger;
}

/**
 * Append-only JSON lines under the state directory, one entry per command, fsynced: the audit
 * must survive the restart a command may cause. Commands are rare, so the cost does not matter.
 * Neither making the log nor appending to it ever throws into a caller: a failed append is
 * logged (with the entry, so the journal keeps it) and raised as the fault `state:remote-audit.jsonl`,
 * cleared by the next append that works.
 */
export class AuditLog {
  readonly path: string;
  private readonly faults: FaultReporter;
  private readonly log: Logger;
  private failures = 0;

  constructor(stateDir: string, options: AuditLogOptions = {}) {
    this.path = join(stateDir, AUDIT_FILE);
    this.faults = options.faults ?? ignoreFaults;
    this.log = options.logger ?? silentLogger();
    try {
      mkdirSync(stateDir, { recursive: true });
    } catch {
      // The first append reports it.
    }
  }

  /** Appends and fsyncs; returns false (logged, fault raised) when that failed. Never throws. */
  append(entry: AuditEntry): boolean {
    const key = `state:${AUDIT_FILE}`;
    try {
      appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o640 });
      const fd = openSync(this.path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      this.failures += 1;
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      this.log.error({ err, code, file: this.path, entry }, 'remote: cannot write the audit log; the entry is in this log line');
      this.faults.raise(key, `${AUDIT_FILE} cannot be written (${code})`, { severity: 'minor' });
      return false;
    }
    this.faults.clear(key, `${AUDIT_FILE} is written again`);
    return true;
  }

  /** Appends that failed since start. */
  appendFailures(): number {
    return this.failures;
  }
}
