import type { Database, Statement } from 'better-sqlite3';
import type { GatewayEvent } from '../model/event.js';
import type { OutboxClock } from './clock-epochs.js';
import type { DepthCounts } from './depth.js';
import type { LeaseTracker } from './leases.js';
import type { Logger } from './logger.js';
import type { OutboxNotices } from './notices.js';
import type { RecordTable } from './records.js';
import { PARKED_OFFSET, PRIORITIES } from './types.js';

/** At most one "records parked" fault event per hour; it counts every record parked since the last one. */
const PARK_NOTICE_EVERY_MS = 3_600_000;

/** What parking needs from the outbox around it. */
export interface ParkingHost {
  /** Runs a storage operation; a storage failure fails the outbox and is thrown. */
  guard<T>(operation: string, fn: () => T): T;
  /** Commits one of the outbox's own events and tells onNotice. */
  appendNotice(event: GatewayEvent): void;
  /** Records came back into the send order: wake the uplink for every priority. */
  returned(): void;
}

/** The parts of the outbox parking acts on. */
export interface ParkingParts {
  db: Database;
  table: RecordTable;
  depth: DepthCounts;
  leases: LeaseTracker;
  notices: OutboxNotices;
  clock: OutboxClock;
  logger: Logger;
}

/**
 * Records the platform refuses for good (e.g. a topic its ACL forbids) are set aside in the file at
 * priority + PARKED_OFFSET: out of the send order so they stop blocking the queue, never deleted.
 * The uplink returns one as a probe, or all of them once a probe is accepted.
 */
export class Parking {
  /** Monotonic time of the last parking notice, and records parked since (coalesced notices). */
  private noticeAt = -Infinity;
  private parkedSinceNotice = 0;
  private readonly parkOne: Statement<[number]>;
  private readonly unparkOneById: Statement<[number]>;
  private readonly unparkEvery: Statement<[]>;
  private readonly firstParkedAfter: Statement<[number, number]>;

  constructor(
    private readonly parts: ParkingParts,
    private readonly host: ParkingHost,
  ) {
    const { db } = parts;
    this.parkOne = db.prepare(`UPDATE records SET priority = priority + ${PARKED_OFFSET} WHERE id = ? AND priority < ${PARKED_OFFSET}`);
    this.unparkOneById = db.prepare(`UPDATE records SET priority = priority - ${PARKED_OFFSET} WHERE id = ? AND priority >= ${PARKED_OFFSET}`);
    this.unparkEvery = db.prepare(`UPDATE records SET priority = priority - ${PARKED_OFFSET} WHERE priority >= ${PARKED_OFFSET}`);
    this.firstParkedAfter = db.prepare('SELECT id FROM records WHERE priority = ? AND id > ? ORDER BY id LIMIT 1').pluck();
  }

  /**
   * Sets the records aside and raises a fault, coalesced to one per PARK_NOTICE_EVERY_MS: when the
   * platform refuses that fault event too, parking it must not make another, and another.
   */
  park(ids: readonly number[], reason: string): void {
    const { db, leases, logger } = this.parts;
    this.host.guard('park', () => db.transaction(() => ids.forEach((id) => this.parkOne.run(id)))());
    leases.forget(ids);
    this.recount();
    logger.warn({ records: ids.length, reason }, 'outbox: records parked after a refusal');
    this.parkedSinceNotice += ids.length;
    const now = this.parts.clock.mono();
    if (now - this.noticeAt < PARK_NOTICE_EVERY_MS) return;
    this.noticeAt = now;
    const count = this.parkedSinceNotice;
    this.parkedSinceNotice = 0;
    this.host.appendNotice(this.parts.notices.parked(count, reason));
  }

  /** Returns every parked record to the queue; how many. */
  unparkAll(): number {
    if (!this.parts.depth.anyParked()) return 0;
    const n = this.host.guard('unpark', () => this.unparkEvery.run().changes);
    this.returned();
    return n;
  }

  /**
   * Returns one parked record to the queue, as a probe whether the platform takes parked records
   * again: the first one after `afterId` (by id, wrapping to the oldest). Its id, or undefined when
   * nothing is parked.
   */
  unparkOne(afterId: number): number | undefined {
    if (!this.parts.depth.anyParked()) return undefined;
    const id = this.host.guard('unpark', () => {
      const found = this.firstAfter(afterId) ?? this.firstAfter(0);
      if (found !== undefined) this.unparkOneById.run(found);
      return found;
    });
    if (id === undefined) return undefined;
    this.returned();
    return id;
  }

  private firstAfter(afterId: number): number | undefined {
    let best: number | undefined;
    for (const p of PRIORITIES) {
      const id = this.firstParkedAfter.get(p + PARKED_OFFSET, afterId) as number | undefined;
      if (id !== undefined && (best === undefined || id < best)) best = id;
    }
    return best;
  }

  /** Records moved into a priority below its lease cursor: every cursor back to the start. */
  private returned(): void {
    this.parts.leases.rewind();
    this.recount();
    this.host.returned();
  }

  private recount(): void {
    this.parts.depth.recount(this.parts.table.countByPriority());
  }
}
