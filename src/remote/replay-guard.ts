import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

export type ReplayVerdict = 'fresh' | 'replayed' | 'stale' | 'no-timestamp';

/**
 * Rejects a command seen before or sent too long ago. None of the platforms stamps its commands
 * with a time the gateway could check, so hearth's commands carry `params.ts` (ms since the epoch,
 * set by the sender); a command outside ±window of the gateway clock is stale, and a command id
 * already seen within the window is a replay. Seen ids are kept in a small file, so a replay right
 * after a restart (which a command may itself cause) is still caught.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly file: string;

  constructor(
    stateDir: string,
    private readonly windowMs: number,
  ) {
    this.file = join(stateDir, 'remote-seen.json');
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>;
      for (const [id, at] of Object.entries(saved)) if (typeof at === 'number') this.seen.set(id, at);
    } catch {
      // No file yet (or unreadable): start empty; the timestamp window still bounds replays.
    }
  }

  check(id: string, ts: unknown, now: number): ReplayVerdict {
    this.expire(now);
    if (this.seen.has(id)) return 'replayed';
    if (typeof ts !== 'number' || !Number.isFinite(ts)) return 'no-timestamp';
    if (Math.abs(now - ts) > this.windowMs) return 'stale';
    return 'fresh';
  }

  /** Remember an id (accepted or rejected after this check: a second copy is a replay either way). */
  remember(id: string, now: number): void {
    this.seen.set(id, now);
    writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.seen)));
  }

  private expire(now: number): void {
    // Twice the window: a command stamped up to `window` in the future stays rejectable that long.
    for (const [id, at] of this.seen) if (now - at > 2 * this.windowMs) this.seen.delete(id);
  }
}
