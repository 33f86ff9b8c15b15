import { closeSync, fchownSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ownerFor } from '../storage/state-owner.js';

/**
 * Reserved room for alarms on a full disk: a ballast file of `bytes` real (non-sparse) blocks kept
 * beside the outbox. When a commit fails with SQLITE_FULL the ballast is deleted, which frees
 * exactly that much for the eviction of old telemetry and the events that must still be written.
 * It is re-created once the disk has room again.
 */
export class Ballast {
  constructor(
    readonly path: string,
    private readonly bytes: number,
  ) {}

  private present(): boolean {
    try {
      return statSync(this.path).size >= this.bytes;
    } catch {
      return false;
    }
  }

  /** Writes the ballast if missing; false if the disk has no room for it (not an error). */
  ensure(): boolean {
    if (this.bytes <= 0 || this.present()) return true;
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'w');
      // Made by root (a commissioning run), the service could not write it back after a release.
      const owner = ownerFor(dirname(this.path));
      if (owner !== undefined) fchownSync(fd, owner.uid, owner.gid);
      const chunk = Buffer.alloc(Math.min(this.bytes, 1 << 20));
      for (let written = 0; written < this.bytes; ) {
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, this.bytes - written));
      }
      return true;
    } catch {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      rmSync(this.path, { force: true });
      return false;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Frees the reserved room; true if there was any. */
  release(): boolean {
    const had = this.present();
    rmSync(this.path, { force: true });
    return had;
  }
}
