import { statSync } from 'node:fs';
import type { Lane } from './lane.js';
import type { RecordQueue } from './queue.js';
import { PRIORITY_EVENT, PRIORITY_FIRE, PRIORITY_TELEMETRY, type DestinationStats, type OutboxStats } from './types.js';

/** Figures of the whole file, the same for every destination's view. */
export interface FileFigures {
  /** The outbox file: its size and its log's are `bytesOnDisk`. */
  path: string;
  /** Rows in the table (any destination). */
  rows: number;
  /** Readings held in memory, not yet written. */
  buffered: number;
  droppedReadings: number;
  storageFault: boolean;
}

/** One destination's figures: its lane's counts and leases, plus the buffered readings meant for it. */
export function destinationStats(lane: Lane, queue: RecordQueue, now: number): DestinationStats {
  const buffered = queue.bufferedCount(lane.mask);
  const stored = lane.oldestAt();
  const inBuffer = queue.oldestBufferedAt(lane.mask);
  const oldest = stored === undefined ? inBuffer : inBuffer === undefined ? stored : Math.min(stored, inBuffer);
  return {
    depth: { fire: lane.depth.of(PRIORITY_FIRE), events: lane.depth.of(PRIORITY_EVENT), telemetry: lane.depth.of(PRIORITY_TELEMETRY) + buffered },
    parked: lane.depth.parked(),
    inflight: lane.leases.inflight(),
    oldestUnsentAgeMs: oldest === undefined ? null : Math.max(0, now - oldest),
  };
}

/** A destination's view with the file's figures. */
export function outboxStats(view: DestinationStats, file: FileFigures): OutboxStats {
  return {
    ...view,
    total: file.rows + file.buffered,
    buffered: file.buffered,
    bytesOnDisk: bytesOnDisk(file.path),
    droppedReadings: file.droppedReadings,
    storageFault: file.storageFault,
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
