/**
 * Repeated reads → presence. Readers repeat a tag's frame many times a second while it is in the
 * field; this turns that stream into one `arrived` per presence and one `left` after the tag has
 * not been seen for `absenceMs`. With `dwellMs`, a tag must stay that long before it counts (a tag
 * carried past the reader is ignored). Pure: time comes in as monotonic ms.
 */

export interface PresenceOptions {
  dwellMs: number;
  absenceMs: number;
}

export type PresenceChange =
  | { type: 'arrived'; tag: string; mono: number }
  | { type: 'left'; tag: string; mono: number; presentMs: number };

interface Seen {
  first: number;
  last: number;
  arrivedAt?: number;
  reads: number;
}

export class PresenceTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly options: PresenceOptions) {}

  /** A read of `tag` at `mono`. Returns the arrival if this read completes one. */
  observe(tag: string, mono: number): PresenceChange | undefined {
    let s = this.seen.get(tag);
    if (s !== undefined && mono - s.last >= this.options.absenceMs) {
      // Gone long enough that a tick would have ended it: this read starts a new presence.
      const left = this.end(tag, s, s.last + this.options.absenceMs);
      if (left) this.carry.push(left);
      s = undefined;
    }
    if (s === undefined) {
      s = { first: mono, last: mono, reads: 0 };
      this.seen.set(tag, s);
    }
    s.last = mono;
    s.reads += 1;
    if (s.arrivedAt === undefined && mono - s.first >= this.options.dwellMs) {
      s.arrivedAt = mono;
      return { type: 'arrived', tag, mono };
    }
    return undefined;
  }

  /** Departures found by observe() (a late read after a missed tick); drained by tick(). */
  private carry: PresenceChange[] = [];

  /** Ends presences silent for `absenceMs`. Call periodically (a few times per absenceMs). */
  tick(mono: number): PresenceChange[] {
    const out = this.carry;
    this.carry = [];
    for (const [tag, s] of this.seen) {
      if (mono - s.last < this.options.absenceMs) continue;
      const left = this.end(tag, s, mono);
      if (left) out.push(left);
    }
    return out;
  }

  /** Tags counted as present now. */
  present(): string[] {
    return [...this.seen].filter(([, s]) => s.arrivedAt !== undefined).map(([tag]) => tag);
  }

  private end(tag: string, s: Seen, mono: number): PresenceChange | undefined {
    this.seen.delete(tag);
    if (s.arrivedAt === undefined) return undefined;
    return { type: 'left', tag, mono, presentMs: s.last - s.arrivedAt };
  }
}
