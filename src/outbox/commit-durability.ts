import type { Database } from 'better-sqlite3';

/** What a commit carried: events (and whatever went with them), or only readings and confirmations. */
export type CommitKind = 'events' | 'readings';

/** Tests: told inside every queue commit's transaction what it carries and the `synchronous` level in effect (2 FULL, 1 NORMAL). */
export type CommitObserver = (kind: CommitKind, synchronous: number) => void;

/**
 * The durability each commit gets, by what it carries (docs/outbox.md, "Journal mode and
 * synchronous levels"). The connection stays at `synchronous=FULL`: an event commit, a sequence
 * block, parking and every other write fsync the log before they return. Only a commit of
 * readings and confirmations alone is made at `NORMAL`: in WAL mode that writes the log without
 * an fsync, so it survives a crash of the process but may be lost in a power cut, until the next
 * FULL commit (which fsyncs the log with everything before it), checkpoint or the kernel's
 * writeback (vm.dirty_expire_centisecs, 30 s by default) puts it on the medium. A lost confirmation
 * is a record sent again; a lost reading is inside the window the documentation gives. On an SD
 * card the fsync, not the bytes, is what a commit costs most: one fewer per second is most of it.
 */
export class CommitDurability {
  private readonly counts = { events: 0, readings: 0 };

  constructor(
    private readonly db: Database,
    private readonly observer?: CommitObserver,
  ) {}

  /** Runs one commit at the level its kind gets; counted once it returned. */
  commit<T>(kind: CommitKind, fn: () => T): T {
    if (kind === 'events') {
      const result = fn();
      this.counts.events++;
      return result;
    }
    this.db.pragma('synchronous = NORMAL');
    try {
      const result = fn();
      this.counts.readings++;
      return result;
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** Inside the transaction: tells the observer (tests) the level in effect. */
  observe(kind: CommitKind): void {
    if (this.observer !== undefined) this.observer(kind, Number(this.db.pragma('synchronous', { simple: true })));
  }

  /** Commits made since open, by kind (the storage benchmark prints them per second). */
  commitCounts(): { events: number; readings: number } {
    return { ...this.counts };
  }
}
