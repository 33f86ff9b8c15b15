import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { removeDurably, writeFileAtomic } from '../storage/atomic-file.js';

/** Version of a config: the first 12 hex digits of its SHA-256 (what the platform sees). */
export function configVersion(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
}

/** A remotely applied config still on probation: rolled back unless the platform is reached by `deadline`. */
export interface PendingChange {
  version: string;
  previousVersion: string;
  /** Wall time (ms) by which the gateway must have reached the platform with the new config. */
  deadline: number;
  appliedAt: number;
  /** Who sent it (platform, command id), for the log and the audit. */
  by: string;
  /**
   * True from the moment a start with the new config begins until that run stops cleanly (a signal
   * or a restart it asked for). Still true at the next start means the run on probation crashed or
   * never finished starting: that start rolls back at once, so a crash loop cannot outrun the
   * deadline (and systemd's start limit).
   */
  started?: boolean;
}

export type Recovery =
  | { state: 'none' }
  | { state: 'pending'; pending: PendingChange }
  | { state: 'rolled-back'; pending: PendingChange }
  /** The previous start on the new config crashed or failed: rolled back without waiting for the deadline. */
  | { state: 'failed-start'; pending: PendingChange }
  /** A crash between writing the marker and renaming the new file: nothing was applied. */
  | { state: 'abandoned'; pending: PendingChange };

/**
 * The config file and its two companions, side by side so they survive a change of stateDir:
 *   <config>.last-good     the config that last reached the platform (restored on rollback)
 *   <config>.pending.json  present while a remote change is on probation
 * Order of writes in apply(): last-good, marker, config; each one atomic. A crash at any point
 * leaves the config file either old or new, and recover() knows which from the marker.
 */
export class ConfigStore {
  readonly lastGoodPath: string;
  readonly pendingPath: string;

  constructor(readonly path: string) {
    this.lastGoodPath = `${path}.last-good`;
    this.pendingPath = `${path}.pending.json`;
  }

  read(): string {
    return readFileSync(this.path, 'utf8');
  }

  version(): string {
    return configVersion(this.read());
  }

  pending(): PendingChange | undefined {
    let text: string;
    try {
      text = readFileSync(this.pendingPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as PendingChange;
    } catch {
      // A marker is written atomically, so this is tampering or disk damage: treat as no probation.
      return undefined;
    }
  }

  /** Installs `text` (already validated) as the config, on probation until `deadline`. */
  apply(text: string, deadline: number, by: string, now: number): PendingChange {
    const current = this.read();
    const change: PendingChange = { version: configVersion(text), previousVersion: configVersion(current), deadline, appliedAt: now, by };
    // The running config is the one to go back to (it is running, so it is at least valid).
    writeFileAtomic(this.lastGoodPath, current);
    writeFileAtomic(this.pendingPath, `${JSON.stringify(change)}\n`);
    writeFileAtomic(this.path, text);
    return change;
  }

  /** The platform was reached with the new config: it becomes the last good one. */
  confirm(): void {
    writeFileAtomic(this.lastGoodPath, this.read());
    removeDurably(this.pendingPath);
  }

  /** Puts the last good config back. */
  rollback(): void {
    writeFileAtomic(this.path, readFileSync(this.lastGoodPath, 'utf8'));
    removeDurably(this.pendingPath);
  }

  /**
   * At startup, before the config is loaded: finish or undo whatever a crash or restart interrupted.
   * An expired probation is rolled back now (the new config may be what keeps the gateway from starting).
   */
  recover(now: number): Recovery {
    const pending = this.pending();
    if (pending === undefined) return { state: 'none' };
    if (this.version() !== pending.version) {
      removeDurably(this.pendingPath);
      return { state: 'abandoned', pending };
    }
    if (now >= pending.deadline) {
      this.rollback();
      return { state: 'rolled-back', pending };
    }
    if (pending.started === true) {
      this.rollback();
      return { state: 'failed-start', pending };
    }
    writeFileAtomic(this.pendingPath, `${JSON.stringify({ ...pending, started: true })}\n`);
    return { state: 'pending', pending };
  }

  /** The run on probation stopped in order (a signal, or a restart it asked for): the next start is not a failed one. */
  stoppedCleanly(): void {
    const pending = this.pending();
    if (pending?.started !== true || this.version() !== pending.version) return;
    writeFileAtomic(this.pendingPath, `${JSON.stringify({ ...pending, started: false })}\n`);
  }
}
