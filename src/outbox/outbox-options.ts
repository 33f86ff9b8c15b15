import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { OutboxClock } from './clock-epochs.js';
import type { CommitObserver } from './commit-durability.js';
import type { OutboxStorageError } from './errors.js';
import type { Logger } from './logger.js';
import type { DestinationRoute } from './routing.js';
import type { SalvageReport } from './salvage.js';
import type { SequenceMark } from './sequence-mark.js';

/** How an Outbox is opened (outbox.ts). */
export interface OutboxOptions {
  /** SQLite file; its folder is created if missing. */
  path: string;
  /** Buffered readings are committed at most this long after appendReading. Default 100. */
  flushIntervalMs?: number;
  /** ...or as soon as this many are buffered (with write-behind: held in memory). Default 500. */
  maxBufferedReadings?: number;
  /**
   * Write-behind (docs/outbox.md, "Write-behind telemetry"): readings are kept in memory and leased
   * to destinations from there; only those not confirmed by every destination within this many ms
   * are written to the file, all together. The readings a crash can lose. Default 0: write-through.
   */
  writeBehindMs?: number;
  /** Tests: told inside every queue commit what it carries and the synchronous level in effect. */
  onCommit?: CommitObserver;
  /** Database size (live pages) above which the oldest telemetry is evicted. Default 512. */
  quotaMb?: number;
  /** Free space left on the filesystem; below it telemetry is evicted and a fault raised. Default 64. */
  minFreeMb?: number;
  /** Ballast kept for events on a full disk (reserve.ts, full-disk.ts). Default 4; 0 disables. */
  reserveMb?: number;
  /** Re-measure disk use at most this often (ms), or after appending 1 % of the quota. Default 1000. */
  quotaCheckMs?: number;
  /** Sequence numbers reserved per durable write. Default SEQUENCE_BLOCK (sequence.ts). */
  sequenceBlockSize?: number;
  /**
   * The sequence mark kept outside the file, in the state directory (sequence-mark.ts): the
   * sequence continues above it, and a file that lost its own mark is reported as replaced.
   */
  sequenceMark?: SequenceMark;
  /** Wall time for record ages (used when `clock` is not given). Default Date.now. */
  now?: () => number;
  /** The gateway clock: record ages, the clock-sync record, times of the outbox's own events. */
  clock?: OutboxClock;
  /** Gateway id for the events the outbox raises itself (dropped, storage). Default `gateway`. */
  gatewayId?: string;
  logger?: Logger;
  /**
   * Called when a commit that no caller waits on (the flush timer) failed. The daemon exits with
   * EXIT_IOERR here. Either way the outbox stays failed: every later call throws.
   */
  onStorageError?: (err: OutboxStorageError) => void;
  /**
   * Events the outbox raises about itself (storage low or full, dropped readings, a file moved
   * aside, parked records), after they are committed: the alarm desk and the console see them too.
   */
  onNotice?: (event: GatewayEvent) => void;
  /**
   * The result of an integrity check someone already ran on the file (in a worker, off the event
   * loop): `ok` skips the check a suspect file would otherwise get here, `corrupt` moves it aside.
   */
  integrity?: 'ok' | 'corrupt';
  /**
   * With `integrity: 'corrupt'`: the events that check salvaged from the file (in the worker, off the
   * event loop). Without it they are read here, synchronously, after the file is moved aside.
   */
  salvaged?: SalvageReport;
  /**
   * The destinations and which records each is meant for (routing.ts). Default: the platform
   * alone, receiving everything. A destination no longer listed is retired at open.
   */
  destinations?: readonly DestinationRoute[];
  /** Tests only: the boot id clock epochs are tied to. */
  bootId?: string;
}

/** A reading handed back from the buffer of a failed handle, with the destinations it was for. */
export interface BufferedReading {
  reading: Reading;
  destinations: string[];
}
