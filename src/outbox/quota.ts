import { statfsSync } from 'node:fs';

/** Space the outbox uses and the space left on its filesystem. */
export interface SpaceUsage {
  /** Live database pages plus the write-ahead log. */
  usedBytes: number;
  /** Free bytes for an unprivileged writer on the outbox's filesystem; undefined if unknown. */
  freeBytes: number | undefined;
}

export interface QuotaLimits {
  /** The outbox's own budget. */
  quotaBytes: number;
  /** Free space the outbox leaves on its filesystem for everything else (logs, the OS). */
  minFreeBytes: number;
  /** Re-measure at most this often (ms)... */
  checkEveryMs: number;
  /** ...unless this many payload bytes were appended since the last measurement. */
  checkEveryBytes: number;
}

export interface QuotaVerdict {
  /** Bytes of telemetry to evict now (0: none). */
  evictBytes: number;
  /** Below the free-space floor: a fault until it recovers. */
  diskLow: boolean;
  usage: SpaceUsage;
}

/**
 * Decides when the outbox must evict telemetry. Over the quota it evicts down to 90 % of it, so
 * eviction runs in rounds, not on every commit; below the free-space floor it evicts what brings
 * the filesystem back above the floor plus the same margin. Events are never evicted: the caller
 * only deletes readings, and alarms keep the reserved room (reserve.ts).
 */
export class QuotaWatch {
  private lastCheck = -Infinity;
  private bytesSince = 0;

  constructor(
    private readonly limits: QuotaLimits,
    private readonly measure: () => SpaceUsage,
  ) {}

  /** Counts appended payload bytes (they may trigger an early check). */
  appended(bytes: number): void {
    this.bytesSince += bytes;
  }

  /** Undefined when it is not time to measure yet. */
  check(now = performance.now(), force = false): QuotaVerdict | undefined {
    if (!force && now - this.lastCheck < this.limits.checkEveryMs && this.bytesSince < this.limits.checkEveryBytes) return undefined;
    this.lastCheck = now;
    this.bytesSince = 0;
    const usage = this.measure();
    const margin = this.limits.quotaBytes * 0.1;
    let evictBytes = 0;
    if (usage.usedBytes > this.limits.quotaBytes) evictBytes = usage.usedBytes - (this.limits.quotaBytes - margin);
    const diskLow = usage.freeBytes !== undefined && usage.freeBytes < this.limits.minFreeBytes;
    if (diskLow) evictBytes = Math.max(evictBytes, this.limits.minFreeBytes - usage.freeBytes! + margin);
    return { evictBytes: Math.ceil(evictBytes), diskLow, usage };
  }
}

/** Free bytes available to unprivileged writers on the filesystem holding `path`. */
export function freeBytesAt(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
