import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ownerFor } from './state-owner.js';

/**
 * The one way hearth replaces a small file (console state, remote ids, the remote config's
 * bookkeeping): a crash (kill -9, power loss) at any moment leaves either the old or the new
 * content, never a mix. Write a temp file in the same folder, fsync it, rename it over the target
 * (atomic within one file system), fsync the folder so the rename itself is durable. The file
 * gets exactly `mode`, and the folder's owner when root writes into someone else's folder
 * (src/storage/state-owner.ts: `sudo hearth …` must not leave files the service cannot read).
 */
export function writeFileAtomic(path: string, text: string, mode = 0o640): void {
  const dir = dirname(path);
  const tmp = tempName(path);
  const owner = ownerFor(dir);
  const fd = openSync(tmp, 'w', mode);
  try {
    fchmodSync(fd, mode); // exactly `mode`: neither the umask nor a leftover temp file changes it
    if (owner !== undefined) fchownSync(fd, owner.uid, owner.gid);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file is already gone
    }
    throw err;
  }
  fsyncDir(dir);
}

/**
 * The same without blocking the event loop (an fsync on an SD card can take tens of
 * milliseconds, and the loop also drives sounders). Rejects with the file system's error (ENOSPC,
 * EROFS, EIO, ...); the temp file is removed on failure.
 */
export async function writeFileAtomicAsync(path: string, text: string, mode = 0o640): Promise<void> {
  const dir = dirname(path);
  const tmp = tempName(path);
  const owner = ownerFor(dir);
  try {
    const file = await open(tmp, 'w', mode);
    try {
      await file.chmod(mode);
      if (owner !== undefined) await file.chown(owner.uid, owner.gid);
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes a file durably (missing is fine). */
export function removeDurably(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return;
  }
  fsyncDir(dirname(path));
}

let tempCounter = 0;

/** Unique per write, so two writers of one process never share a temp file. */
function tempName(path: string): string {
  tempCounter = (tempCounter + 1) % 1_000_000;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
