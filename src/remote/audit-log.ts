import { appendFileSync, closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync } from 'node:fs';
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
  /** The person behind it, when a person is (a user of the API, or `admin` for the built-in token). */
  user?: string;
  /** Their role on the API (viewer, installer, administrator). */
  role?: string;
  /** Which way it came in. */
  via?: 'console' | 'api' | 'remote' | 'cli' | 'centre' | 'rule' | 'schedule';
  /** The client's address (API requests). */
  from?: string;
}

/** How much of the end of the file newest() reads at most: plenty for hundreds of entries. */
const TAIL_BYTES = 512 * 1024;

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

  /**
   * The newest `limit` entries, newest first, read from the end of the file (a long log is never
   * read whole). No file yet: []. Lines that do not parse (a torn last line after a crash) are
   * skipped. Throws the file system's error otherwise.
   */
  newest(limit: number): AuditEntry[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let text: string;
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      text = buf.toString('utf8');
      // Started mid-file: the first line is probably cut.
      if (length < size) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      closeSync(fd);
    }
    const entries: AuditEntry[] = [];
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && entries.length < limit; i--) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // a torn line: skip it
      }
    }
    return entries;
  }

  /** Appends that failed since start. */
  appendFailures(): number {
    return this.failures;
  }
}
