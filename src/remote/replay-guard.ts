import { join } from 'node:path';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { SmallState } from '../storage/small-state.js';

export type ReplayVerdict = 'fresh' | 'replayed' | 'stale' | 'no-timestamp';

/**
 * Rejects a command seen before or sent too long ago. None of the platforms stamps its commands
 * with a time the gateway could check, so hearth's commands carry `params.ts` (ms since the epoch,
 * set by the sender); a command outside ±window of the gateway clock is stale, and a command id
 * already seen within the window is a replay. Seen ids are kept in a small file, so a replay right
 * after a restart (which a command may itself cause) is still caught. The file is small state
 * (src/storage/small-state.ts): an unreadable one is moved aside with a fault and the guard starts
 * empty (the timestamp window still bounds replays); a failed write never fails a command.
 */
export const REPLAY_FILE = 'remote-seen.json';

export interface ReplayGuardOptions {
  faults?: FaultReporter;
  logger?: Logger;
}

export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly state: SmallState<Record<string, number>>;

  constructor(
    stateDir: string,
    private readonly windowMs: number,
    options: ReplayGuardOptions = {},
  ) {
    this.state = SmallState.openSync<Record<string, number>>(join(stateDir, REPLAY_FILE), {
      defaults: {},
      validate: (raw) => (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, number>) : undefined),
      faults: options.faults ?? ignoreFaults,
      logger: options.logger ?? silentLogger(),
    });
    for (const [id, at] of Object.entries(this.state.data)) if (typeof at === 'number') this.seen.set(id, at);
  }

  check(id: string, ts: unknown, now: number): ReplayVerdict {
    this.expire(now);
    if (this.seen.has(id)) return 'replayed';
    if (typeof ts !== 'number' || !Number.isFinite(ts)) return 'no-timestamp';
    if (Math.abs(now - ts) > this.windowMs) return 'stale';
    return 'fresh';
  }

  /**
   * Remember an id (accepted or rejected after this check: a second copy is a replay either way).
   * Resolves once the write was tried, so a command runs only after its id is on disk; never
   * rejects (a failed write is logged, raised as a fault and retried by SmallState).
   */
  remember(id: string, now: number): Promise<void> {
    this.seen.set(id, now);
    const saved = Object.fromEntries(this.seen);
    return this.state.update((d) => {
      for (const k of Object.keys(d)) delete d[k];
      Object.assign(d, saved);
    });
  }

  /** Waits for the write in flight and stops retrying (the daemon's stop). Never rejects. */
  close(): Promise<void> {
    return this.state.close();
  }

  private expire(now: number): void {
    // Twice the window: a command stamped up to `window` in the future stays rejectable that long.
    for (const [id, at] of this.seen) if (now - at > 2 * this.windowMs) this.seen.delete(id);
  }
}
