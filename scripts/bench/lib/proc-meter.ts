import { readFileSync } from 'node:fs';

/**
 * What the kernel knows about a child process (Linux /proc): CPU time used, resident memory now and
 * at its peak, bytes it caused to be written to storage. Read from outside, so the figures include
 * everything the process does (its own timers, GC, native threads) and nothing of the bench's.
 */
export interface ProcSample {
  /** user + system CPU, ms */
  cpuMs: number;
  rssMb: number;
  peakRssMb: number;
  writeBytes: number;
}

/** Clock ticks per second for /proc/<pid>/stat times: USER_HZ, 100 on every Linux build that matters. */
const USER_HZ = 100;

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14), stime (15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const writeBytes = Number(/write_bytes:\s+(\d+)/.exec(io)?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / USER_HZ, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, writeBytes };
}
