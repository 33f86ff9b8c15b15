import type { Database } from 'better-sqlite3';
import { PersistentSequence, freshSequenceFloor } from './sequence.js';
import type { SequenceMark } from './sequence-mark.js';

/** What was at the outbox's path before it was opened (open.ts). */
export type FileBefore = 'missing' | 'empty' | 'present';

/** The outbox file lost what it knew about sequence numbers this gateway had handed out. */
export interface Replacement {
  /** What was found: `missing`, `empty` (0 bytes), or a file holding no sequence state. */
  found: FileBefore;
  /** The highest number this gateway may have handed out, per the mark outside the file; undefined if that is lost too. */
  issued: number | undefined;
  /** The sequence continues above this. */
  continuesAbove: number;
}

export interface SequenceStart {
  seq: PersistentSequence;
  /** Set when the file had no sequence state although this gateway had handed out numbers. */
  replaced?: Replacement;
}

export interface SequenceStartInput {
  before: FileBefore;
  /** The file at the path was unreadable and moved aside (open.ts); its salvaged mark if any. */
  movedAside?: { salvagedSeq: number | undefined };
  mark?: SequenceMark;
  blockSize?: number;
  wallMs: number;
}

/**
 * Where the gateway's sequence continues when the outbox opens: above the file's own mark and above
 * the mark kept outside it (sequence-mark.ts), whichever is higher. A file without a mark of its own
 * (missing, 0 bytes, replaced) while the outside mark says numbers were handed out is a replaced
 * outbox: the records it held may be lost, and the caller says so upstream. A 0-byte file is not
 * taken for a first start either: hearth writes the header in the instant it creates the file, so
 * an empty file is one that lost its content; with the outside mark lost too, the sequence
 * continues above the wall clock in microseconds (as for a file moved aside without a readable mark). Afterwards the outside mark is brought up to
 * the file's (an upgrade, or a mark that was lost or garbage: one write).
 */
export function startSequence(db: Database, input: SequenceStartInput): SequenceStart {
  const { mark, movedAside } = input;
  const seq = new PersistentSequence(db, input.blockSize, mark);
  const issued = mark?.issued();
  let replaced: Replacement | undefined;
  if (movedAside !== undefined) {
    // The move aside is reported on its own (notices.movedAside).
    seq.raiseTo(freshSequenceFloor(movedAside.salvagedSeq, input.wallMs));
  } else if (!seq.stored && ((issued ?? 0) > 0 || input.before === 'empty')) {
    if (issued === undefined || issued === 0) seq.raiseTo(freshSequenceFloor(undefined, input.wallMs));
    replaced = { found: input.before, issued, continuesAbove: 0 };
  }
  if (issued !== undefined) seq.raiseTo(issued);
  if (replaced !== undefined) replaced.continuesAbove = seq.current();
  if (mark !== undefined && seq.highWaterMark() > 0 && (issued ?? 0) < seq.highWaterMark()) mark.reserve(seq.highWaterMark());
  return replaced === undefined ? { seq } : { seq, replaced };
}
