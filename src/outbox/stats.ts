import { statSync } from 'node:fs';
import type { DepthCounts } from './depth.js';
import { PRIORITY_EVENT, PRIORITY_FIRE, PRIORITY_TELEMETRY, type OutboxStats } from './types.js';

/** What the outbox's stats are made of, gathered by the Outbox from its parts. */
export interface StatsInputs {
  /** The outbox file; its size and its log's are `bytesOnDisk`. */
  path: string;
  depth: DepthCounts;
  /** Readings accepted, not yet group-committed. */
  buffered: number;
  /** Append time of the oldest record not confirmed (stored or buffered). */
  oldestAt: number | undefined;
  inflight: number;
  droppedReadings: number;
  storageFault: boolean;
  /** Wall time now. */
  now: number;
}

export function outboxStats(i: StatsInputs): OutboxStats {
  const fire = i.depth.of(PRIORITY_FIRE);
  const events = i.depth.of(PRIORITY_EVENT);
  const telemetry = i.depth.of(PRIORITY_TELEMETRY);
  const parked = i.depth.parked();
  return {
    depth: { fire, events, telemetry: telemetry + i.buffered },
    total: fire + events + telemetry + i.buffered + parked,
    parked,
    inflight: i.inflight,
    buffered: i.buffered,
    oldestUnsentAgeMs: i.oldestAt === undefined ? null : Math.max(0, i.now - i.oldestAt),
    bytesOnDisk: bytesOnDisk(i.path),
    droppedReadings: i.droppedReadings,
    storageFault: i.storageFault,
  };
}

/** The database file plus its write-ahead log. */
function bytesOnDisk(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += statSync(file).size;
    } catch {
      // No log file right after a TRUNCATE checkpoint.
    }
  }
  return total;
}
