import { chownSync, statSync } from 'node:fs';

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
