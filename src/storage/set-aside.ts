import { existsSync, renameSync } from 'node:fs';

/**
 * Moves an unreadable small-state file out of the way, never deleting it: a person may want to
 * look at it, and what looks like garbage to this version may be readable to another. The new
 * name says why and when: `<file>.unreadable-<UTC time>` (with `-2`, `-3`, ... if taken).
 * Returns the new path; throws the file system's error when the rename is impossible.
 */
export function setAside(path: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = `${path}.unreadable-${stamp}`;
  let target = base;
  for (let n = 2; existsSync(target); n++) target = `${base}-${n}`;
  renameSync(path, target);
  return target;
}
