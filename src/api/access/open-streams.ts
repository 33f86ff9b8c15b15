import type { Caller } from './caller.js';

/**
 * The live streams (`/api/live`) open now, each with the caller it was opened by. A stream is
 * authenticated once, when it opens, and may then run for hours: so whenever a credential may have
 * stopped counting (a logout, a user revoked or rotated through the API, and every second for the
 * files the CLI changes) the auth rechecks every stream and ends those whose caller is no longer
 * valid.
 */
export class OpenStreams {
  private readonly open = new Map<() => void, Caller>();

  /** Tracks a stream; returns the function that forgets it (call it when the stream ends by itself). */
  add(caller: Caller, end: () => void): () => void {
    this.open.set(end, caller);
    return () => void this.open.delete(end);
  }

  /** Ends the streams whose caller `valid` refuses; returns how many. */
  recheck(valid: (caller: Caller) => boolean): number {
    let ended = 0;
    for (const [end, caller] of [...this.open]) {
      if (valid(caller)) continue;
      this.open.delete(end);
      end();
      ended += 1;
    }
    return ended;
  }

  get size(): number {
    return this.open.size;
  }
}
