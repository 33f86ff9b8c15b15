import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { FaultReporter } from '../faults/gateway-faults.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { setAside } from '../storage/set-aside.js';
import { mkdirOwned } from '../storage/state-owner.js';
import type { Logger } from './logger.js';

/** The mark's file in the gateway's state directory (config `gateway.stateDir`). */
export const SEQUENCE_MARK_FILE = 'outbox-sequence.json';

/**
 * The gateway's sequence high-water mark kept outside the outbox file: a number at or above every
 * sequence number this gateway may have handed out. The outbox file keeps its own mark (sequence.ts),
 * but a file that is deleted, replaced or truncated to 0 bytes takes that with it, and the platform
 * de-duplicates readings on (gateway, seq): a fresh file counting from 1 again would have its
 * records dropped as duplicates. The outbox continues above this mark instead, and says the file
 * was replaced (sequence-start.ts).
 */
export interface SequenceMark {
  /** The highest number reserved, read at start or reserved since; undefined if there never was a mark. */
  issued(): number | undefined;
  /** Makes `mark` durable before numbers up to it are handed out. Never throws. */
  reserve(mark: number): void;
}

export interface SequenceMarkOptions {
  faults: FaultReporter;
  logger: Logger;
  /** Tests substitute a failing or counting writer. Default: writeFileAtomic (0640, the folder's owner). */
  write?: (path: string, text: string) => void;
}

/**
 * The mark as a small JSON file, replaced atomically (src/storage/atomic-file.ts) once per block of
 * numbers, never per record. Like the other small state files (src/storage/small-state.ts) it never
 * stops the gateway: a missing file is a first start or an upgrade (the outbox's own counter is used
 * and written here); a garbage one is moved aside with a minor fault `state:outbox-sequence.json`;
 * one that cannot be read is left alone (it may hold a good mark) and not written this run; a failed
 * write raises the same minor fault and is tried again at the next block.
 */
/** How long a failed mark write waits before a call that needs no new block tries it again. */
const RETRY_MS = 30_000;

export class SequenceMarkFile implements SequenceMark {
  readonly faultKey = `state:${SEQUENCE_MARK_FILE}`;
  private known: number | undefined;
  private writable = true;
  private failing = false;
  private writes = 0;
  private lastAttempt = -Infinity;
  private readonly file: string;

  constructor(
    readonly path: string,
    private readonly options: SequenceMarkOptions,
  ) {
    this.file = basename(path);
    try {
      mkdirOwned(dirname(path), 0o700);
    } catch {
      // The first write reports it, with the file's name.
    }
    this.known = this.load();
  }

  issued(): number | undefined {
    return this.known;
  }

  reserve(mark: number): void {
    // A failed write is tried again at the next block, or after RETRY_MS on a later call: never on
    // every number. Raising the fault appends a fault event, which takes a number and calls here
    // again: retrying then would turn one failure into a storm of fault events.
    if (this.known !== undefined && mark <= this.known && (!this.failing || performance.now() - this.lastAttempt < RETRY_MS)) return;
    this.known = Math.max(this.known ?? 0, mark);
    if (!this.writable) return;
    this.lastAttempt = performance.now();
    const text = `${JSON.stringify({ highWater: this.known, updatedAt: new Date().toISOString() })}\n`;
    try {
      (this.options.write ?? ((p: string, t: string) => writeFileAtomic(p, t, 0o640)))(this.path, text);
      this.writes++;
    } catch (err) {
      this.writeFailed(err);
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.options.logger.info({ file: this.path, highWater: this.known }, 'sequence mark written again');
    }
    this.options.faults.clear(this.faultKey, `${this.file} is written again`);
  }

  /** Durable writes made (one per block of numbers). */
  writeCount(): number {
    return this.writes;
  }

  private load(): number | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      if (code === 'ENOENT') {
        this.options.logger.info({ file: this.path }, 'no sequence mark yet (first start, or an upgrade): the outbox file keeps its own');
        return undefined;
      }
      // It may hold a good mark that a later run can read: never written over this run.
      this.writable = false;
      this.fault(`cannot read it (${code}); sequence numbers continue from the outbox file's own mark, and it is not written until hearth restarts with it readable`, err);
      return undefined;
    }
    const mark = parseMark(text);
    if (mark !== undefined) return mark;
    let movedTo: string;
    try {
      movedTo = setAside(this.path);
    } catch (err) {
      this.writable = false;
      this.fault(`unreadable and cannot be moved aside (${(err as NodeJS.ErrnoException).code ?? 'unknown'}); not written this run`, err);
      return undefined;
    }
    this.fault(`was unreadable (${text.length === 0 ? 'empty' : 'not a sequence mark'}): moved aside to ${basename(movedTo)}; sequence numbers continue from the outbox file's own mark`);
    return undefined;
  }

  private writeFailed(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    if (!this.failing) this.options.logger.error({ err, file: this.path, code }, 'sequence mark cannot be written');
    this.failing = true;
    this.options.faults.raise(this.faultKey, `${this.file} cannot be written (${code}): sequence numbers would not survive the loss of the outbox file; retried at the next block`, { severity: 'minor' });
  }

  private fault(why: string, err?: unknown): void {
    const message = `${this.file} ${why}`;
    this.options.logger.warn({ err, file: this.path }, `sequence mark: ${message}`);
    this.options.faults.raise(this.faultKey, message, { severity: 'minor' });
  }
}

/** A non-negative safe integer under `highWater`, or undefined. */
export function parseMark(text: string): number | undefined {
  try {
    const value = (JSON.parse(text) as { highWater?: unknown } | null)?.highWater;
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
