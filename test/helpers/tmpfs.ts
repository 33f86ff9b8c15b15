import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real tmpfs for file-system faults (a full disk, a read-only card), mounted for one test.
 * Needs root with CAP_SYS_ADMIN; undefined where the kernel refuses the mount, and the caller
 * then injects the fault through the code's seam instead (and says so).
 */
export interface Tmpfs {
  dir: string;
  /** Remount read-only (EROFS on every write), as a failing SD card does. */
  readOnly(): void;
  /** Takes every byte left (ENOSPC on the next write); returns the filler's path. */
  fill(): string;
}

export function mountTmpfs(t: { teardown(fn: () => void): void }, sizeKb = 256): Tmpfs | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  t.teardown(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
    fill: () => {
      const s = statfsSync(dir);
      const filler = join(dir, 'filler');
      writeFileSync(filler, Buffer.alloc(s.bavail * s.bsize));
      return filler;
    },
  };
}
