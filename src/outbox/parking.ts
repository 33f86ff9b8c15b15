import type { Database, Statement } from 'better-sqlite3';
import type { GatewayEvent } from '../model/event.js';
import type { OutboxClock } from './clock-epochs.js';
import type { LaneDepth } from './depth.js';
import type { LeaseTracker } from './leases.js';
import type { Logger } from './logger.js';
import type { OutboxNotices } from './notices.js';

/** At most one "records parked" fault event per hour and destination; it counts every record parked since the last one. */
const PARK_NOTICE_EVERY_MS = 3_600_000;

/** What parking needs from the outbox around it. */
export interface ParkingHost {
  /** Runs a storage operation; a storage failure fails the outbox and is thrown. */
  guard<T>(operation: string, fn: () => T): T;
  /** Commits one of the outbox's own events and tells onNotice. */
  appendNotice(event: GatewayEvent): void;
  /** Records came back into this destination's send order: wake its connection for every priority. */
  returned(): void;
}

/** The parts of the outbox and of one destination's lane parking acts on. */
export interface ParkingParts {
  db: Database;
  /** The destination's id and bit mask. */
  destination: string;
  mask: number;
  depth: LaneDepth;
  leases: LeaseTracker;
  notices: OutboxNotices;
  clock: OutboxClock;
  logger: Logger;
}

/**
 * Records one destination refuses for good (e.g. a topic the platform's ACL forbids, a centre's
 * deny) are set aside for that destination: its bit is set in the row's `parked` mask, which takes
 * them out of its send order so they stop blocking its queue. They are never deleted and other
 * destinations still send them. The connection returns one as a probe, or all of them once a probe
 * is accepted.
 */
export class Parking {
  /** Monotonic time of the last parking notice, and records parked since (coalesced notices). */
  private noticeAt = -Infinity;
  private parkedSinceNotice = 0;
  private readonly parkOne: Statement<[number, number, number, number, number]>;
  private readonly unparkOneById: Statement<[number, number, number]>;
  private readonly unparkEvery: Statement<[number, number]>;
  private readonly firstParkedAfter: Statement<[number, number]>;

  constructor(
    private readonly parts: ParkingParts,
    private readonly host: ParkingHost,
  ) {
    const { db } = parts;
    // RETURNING priority: the lane's counts follow each row without a recount.
    this.parkOne = db.prepare('UPDATE records SET parked = parked | ? WHERE id = ? AND (parked & ?) = 0 AND (pending & ?) = ? RETURNING priority');
    this.unparkOneById = db.prepare('UPDATE records SET parked = parked & ~? WHERE id = ? AND (parked & ?) != 0 RETURNING priority');
    // `parked != 0` lets SQLite use the small partial index of parked rows.
    this.unparkEvery = db.prepare('UPDATE records SET parked = parked & ~? WHERE parked != 0 AND (parked & ?) != 0 RETURNING priority');
    this.firstParkedAfter = db.prepare('SELECT id FROM records WHERE parked != 0 AND (parked & ?) != 0 AND id > ? ORDER BY id LIMIT 1').pluck();
  }

  /**
   * Sets the records aside and raises a fault, coalesced to one per PARK_NOTICE_EVERY_MS: when the
   * destination refuses that fault event too, parking it must not make another, and another.
   */
  park(ids: readonly number[], reason: string): void {
    const { db, leases, logger, mask, depth, destination } = this.parts;
    const priorities = this.host.guard('park', () =>
      db.transaction(() => ids.flatMap((id) => (this.parkOne.all(mask, id, mask, mask, mask) as { priority: number }[]).map((r) => r.priority)))(),
    );
    for (const p of priorities) {
      depth.addLive(p, -1);
      depth.addParked(p, 1);
    }
    leases.forget(ids);
    logger.warn({ destination, records: ids.length, reason }, 'outbox: records parked after a refusal');
    this.parkedSinceNotice += priorities.length;
    const now = this.parts.clock.mono();
    if (now - this.noticeAt < PARK_NOTICE_EVERY_MS || this.parkedSinceNotice === 0) return;
    this.noticeAt = now;
    const count = this.parkedSinceNotice;
    this.parkedSinceNotice = 0;
    this.host.appendNotice(this.parts.notices.parked(count, reason, destination));
  }

  /** Returns every parked record to the destination's queue; how many. */
  unparkAll(): number {
    const { mask } = this.parts;
    if (!this.parts.depth.anyParked()) return 0;
    const rows = this.host.guard('unpark', () => this.unparkEvery.all(mask, mask) as { priority: number }[]);
    this.returned(rows.map((r) => r.priority));
    return rows.length;
  }

  /**
   * Returns one parked record to the queue, as a probe whether the destination takes parked records
   * again: the first one after `afterId` (by id, wrapping to the oldest). Its id, or undefined when
   * nothing is parked.
   */
  unparkOne(afterId: number): number | undefined {
    const { mask } = this.parts;
    if (!this.parts.depth.anyParked()) return undefined;
    const found = this.host.guard('unpark', () => {
      const id = (this.firstParkedAfter.get(mask, afterId) ?? this.firstParkedAfter.get(mask, 0)) as number | undefined;
      if (id === undefined) return undefined;
      const rows = this.unparkOneById.all(mask, id, mask) as { priority: number }[];
      return { id, priorities: rows.map((r) => r.priority) };
    });
    if (found === undefined) return undefined;
    this.returned(found.priorities);
    return found.id;
  }

  /** Records moved back below the lease cursor: every cursor back to the start. */
  private returned(priorities: readonly number[]): void {
    for (const p of priorities) {
      this.parts.depth.addParked(p, -1);
      this.parts.depth.addLive(p, 1);
    }
    this.parts.leases.rewind();
    this.host.returned();
  }
}
