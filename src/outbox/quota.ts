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
  /** A lower quota while the filesystem is full (capAt): the database must not grow. */
  private cap = Infinity;

  constructor(
    private readonly limits: QuotaLimits,
    private readonly measure: () => SpaceUsage,
  ) {}

  /** Counts appended payload bytes (they may trigger an early check). */
  appended(bytes: number): void {
    this.bytesSince += bytes;
  }

  /**
   * After the filesystem filled up, the database file cannot grow (a checkpoint that extends it
   * fails, the log then grows until that fails too): limit live pages to `bytes`, below the file's
   * size, so new records reuse the pages freed by eviction. uncap() when the disk has room again.
   */
  capAt(bytes: number): void {
    this.cap = Math.max(0, bytes);
    this.lastCheck = -Infinity;
  }

  uncap(): void {
    this.cap = Infinity;
  }

  capped(): boolean {
    return this.cap !== Infinity;
  }

  /** Undefined when it is not time to measure yet. */
  check(now = performance.now(), force = false): QuotaVerdict | undefined {
    const quotaBytes = Math.min(this.limits.quotaBytes, this.cap);
    const everyBytes = Math.min(this.limits.checkEveryBytes, quotaBytes / 100);
    if (!force && now - this.lastCheck < this.limits.checkEveryMs && this.bytesSince < everyBytes) return undefined;
    this.lastCheck = now;
    this.bytesSince = 0;
    const usage = this.measure();
    const margin = quotaBytes * 0.1;
    let evictBytes = 0;
    if (usage.usedBytes > quotaBytes) evictBytes = usage.usedBytes - (quotaBytes - margin);
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
