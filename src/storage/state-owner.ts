import { chownSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Who a file written into the state directory must belong to. The daemon runs as the service user
 * (systemd `User=hearth`), which owns the state directory; an installer runs the CLI with sudo. A
 * file root writes there would be root's, unreadable to the service (a rotated token the daemon
 * cannot read, so the old one keeps working). So when the process is root and the folder belongs
 * to someone else, what it writes there is handed to the folder's owner.
 */
export interface FileOwner {
  uid: number;
  gid: number;
}

/** The owner to give files written in `dir`; undefined when nothing needs changing (not root, or root's folder, or no folder). */
export function ownerFor(dir: string): FileOwner | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const st = statSync(dir);
    if (st.uid === 0 && st.gid === 0) return undefined;
    return { uid: st.uid, gid: st.gid };
  } catch {
    return undefined;
  }
}

/** Hands `path` to the owner of the folder it is in (see ownerFor); a no-op when nothing needs changing. */
export function matchFolderOwner(path: string, dir: string): void {
  const owner = ownerFor(dir);
  if (owner !== undefined) chownSync(path, owner.uid, owner.gid);
}

/**
 * mkdirSync(dir, { recursive: true }) whose new folders belong to the owner of the folder they are
 * made in (ownerFor): `sudo hearth …` making the state folder under a service-owned parent must
 * not leave a root folder the service cannot write. Folders that exist are left as they are.
 */
export function mkdirOwned(dir: string, mode = 0o750): void {
  const first = mkdirSync(dir, { recursive: true, mode });
  if (first === undefined) return;
  const owner = ownerFor(dirname(first));
  if (owner === undefined) return;
  // mkdirSync returned the outermost folder it made; every folder from there down to `dir` is new.
  for (let d = resolve(dir); ; d = dirname(d)) {
    chownSync(d, owner.uid, owner.gid);
    if (d === resolve(first) || d === dirname(d)) break;
  }
}
