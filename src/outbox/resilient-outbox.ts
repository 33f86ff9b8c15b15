import { join } from 'node:path';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import type { DurableStore } from './types.js';
import type { OutboxClock } from './clock-epochs.js';
import { isStorageFailure } from './errors.js';
import type { IntegrityVerdict } from './integrity-check.js';
import { noopLogger, type Logger } from './logger.js';
import { OutboxNotices } from './notices.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import { ResilientLane } from './resilient-lane.js';
import { PLATFORM_ONLY, Routes } from './routing.js';
import type { SalvageReport } from './salvage.js';
import { SEQUENCE_BLOCK, freshSequenceFloor } from './sequence.js';
import { SEQUENCE_MARK_FILE, SequenceMarkFile, type SequenceMark } from './sequence-mark.js';
import { StorageFault, type StorageHealth } from './storage-fault.js';
import { PLATFORM_DESTINATION, PRIORITIES, PRIORITY_EVENT, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type OutboxStats, type Priority, type UplinkSource } from './types.js';

export interface ResilientOutboxOptions {
  /** How to open the file (path, quota, ...); storage errors and notices are handled here. */
  outbox: Omit<OutboxOptions, 'onStorageError' | 'onNotice' | 'integrity' | 'salvaged' | 'clock' | 'logger' | 'sequenceMark'>;
  /**
   * The gateway's state directory (config `gateway.stateDir`): the sequence mark is kept there,
   * outside the outbox file, so a lost or replaced file never restarts the sequence
   * (sequence-mark.ts). Without it (tools, some tests) the file's own mark is all there is.
   */
  stateDir?: string;
  clock: OutboxClock;
  gatewayId: string;
  faults: FaultReporter;
  /** The outbox's own events (storage low/full, dropped, parked) once committed: for the alarm desk. */
  onNotice?: (event: GatewayEvent) => void;
  logger?: Logger;
  /** Readings held in memory per destination during a storage fault; older ones are dropped (counted). Default 20000. */
  maxHeldReadings?: number;
  /** Back-off between attempts to reopen the file. Default 1 s doubling to 60 s, jittered. */
  reopenMinMs?: number;
  reopenMaxMs?: number;
  random?: () => number;
  /** Tests substitute the opener (e.g. one that fails) and the integrity check. */
  openOutbox?: (options: OutboxOptions) => Outbox;
  check?: (path: string) => Promise<IntegrityVerdict>;
}

export type { StorageHealth } from './storage-fault.js';

/**
 * The outbox as the pipeline and the destinations see it: routes records between the file and
 * memory. While the file works, everything goes to the Outbox. When a write or fsync fails, the
 * gateway enters a *storage fault* (storage-fault.ts): the failed handle is closed (never "fsync
 * again on the same handle and assume success") and records wait in bounded memory queues, one per
 * destination, that the connections drain live, so detection, local actions and delivery go on.
 * Once the file opens again, what waits in memory is written to it, each record for the
 * destinations still waiting for it, and the fault is cleared. Nothing here throws into a caller
 * for a storage reason.
 *
 * Like the Outbox, it is the platform's UplinkSource itself; `source(id)` is any destination's.
 */
export class ResilientOutbox implements DurableStore, SequenceSource, UplinkSource {
  private outbox: Outbox | undefined;
  private readonly routes: Routes;
  private readonly lanes = new Map<string, ResilientLane>();
  private readonly main: ResilientLane;
  private readonly fault: StorageFault;
  private readonly logger: Logger;
  private readonly notices: OutboxNotices;
  private closed = false;
  private lastSeq = 0;
  private readonly mark: SequenceMark | undefined;

  constructor(private readonly options: ResilientOutboxOptions) {
    this.logger = options.logger ?? noopLogger;
    if (options.stateDir !== undefined) this.mark = new SequenceMarkFile(join(options.stateDir, SEQUENCE_MARK_FILE), { faults: options.faults, logger: this.logger });
    this.routes = new Routes(options.outbox.destinations ?? PLATFORM_ONLY);
    const host = {
      guarded: <T>(operation: string, fn: (box: Outbox) => T) => this.guarded(operation, fn),
      attached: () => this.outbox !== undefined,
      migrate: () => void this.migrate(),
      faultActive: () => this.fault.active(),
    };
    for (const id of this.routes.ids()) this.lanes.set(id, new ResilientLane(id, options.maxHeldReadings ?? 20_000, options.clock, this.logger, host));
    this.main = this.lanes.get(PLATFORM_DESTINATION) ?? [...this.lanes.values()][0]!;
    const { clock, faults, reopenMinMs, reopenMaxMs, random, check } = options;
    this.fault = new StorageFault(
      { path: options.outbox.path, clock, faults, logger: this.logger, reopenMinMs, reopenMaxMs, random, check },
      { attached: () => this.outbox !== undefined, open: (integrity, salvaged) => this.tryOpen(integrity, salvaged) },
    );
    this.notices = new OutboxNotices(options.gatewayId, options.clock, () => this.next());
  }

  /** Opens the file; on failure the gateway starts in a storage fault and keeps trying. Never throws. */
  start(): void {
    if (this.tryOpen(undefined)) return;
    // Never opened: continue above any number this gateway can have handed out (as after a file
    // moved aside: microseconds of wall time), so the platform never sees a number twice.
    if (this.lastSeq === 0) this.lastSeq = Math.max(freshSequenceFloor(undefined, this.options.clock.now()), this.mark?.issued() ?? 0);
  }

  health(): StorageHealth {
    let held = 0;
    let dropped = 0;
    for (const lane of this.lanes.values()) {
      held += lane.held();
      dropped += lane.memory.droppedReadings();
    }
    return this.fault.health(held, dropped);
  }

  /** The underlying file's handle while it works (tools and tests). */
  current(): Outbox | undefined {
    return this.outbox;
  }

  /** Every configured destination's id. */
  destinationIds(): string[] {
    return [...this.lanes.keys()];
  }

  /** One destination's part; undefined for an id not configured. */
  source(destination: string): UplinkSource | undefined {
    return this.lanes.get(destination);
  }

  next(): number {
    const box = this.outbox;
    if (box !== undefined) {
      try {
        this.lastSeq = box.next();
        return this.lastSeq;
      } catch (err) {
        this.failed('sequence', err);
      }
    }
    return this.memoryNext();
  }

  appendEvent(event: GatewayEvent): void {
    this.appendEvents([event]);
  }

  /** Events raised together: one commit for all of them; in memory, all of them, if it fails. */
  appendEvents(events: readonly GatewayEvent[]): void {
    const box = this.outbox;
    if (box !== undefined) {
      try {
        if (events.length === 1) box.appendEvent(events[0]!);
        else box.appendEvents(events);
        return;
      } catch (err) {
        // Committed or not is unknown after a failed fsync: keep them in memory too. A duplicate is
        // recognised by its id upstream; a loss would not be.
        this.failed('appendEvent', err);
      }
    }
    for (const event of events) {
      for (const id of this.routes.eventTargets(event)) {
        const lane = this.lanes.get(id)!;
        lane.notify(lane.memory.addEvent(event));
      }
    }
  }

  appendReading(reading: Reading): void {
    const box = this.outbox;
    if (box !== undefined) {
      try {
        box.appendReading(reading);
        return;
      } catch (err) {
        this.failed('appendReading', err);
      }
    }
    for (const id of this.routes.readingTargets()) {
      const lane = this.lanes.get(id)!;
      lane.memory.addReading(reading);
      lane.notify(PRIORITY_TELEMETRY);
    }
  }

  flush(): void {
    this.guarded('flush', (box) => box.flush());
  }

  // The platform's part (resilient-lane.ts).
  nextBatch(limits: BatchLimits): Batch | undefined {
    return this.main.nextBatch(limits);
  }

  delivered(ids: readonly number[]): void {
    this.main.delivered(ids);
  }

  release(ids: readonly number[]): void {
    this.main.release(ids);
  }

  park(ids: readonly number[], reason: string): void {
    this.main.park(ids, reason);
  }

  unparkAll(): number {
    return this.main.unparkAll();
  }

  unparkOne(afterId?: number): number | undefined {
    return this.main.unparkOne(afterId);
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.main.onCommitted(listener);
  }

  /** The platform's view, with every destination's in `destinations`. */
  stats(): OutboxStats {
    const stats = this.main.stats();
    stats.heldInMemory = this.heldCount();
    stats.destinations = Object.fromEntries([...this.lanes.values()].map((lane) => [lane.id, lane.destinationStats()]));
    return stats;
  }

  /** Commits what can be committed and closes the file. Records only in memory are lost with the process (logged). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fault.close();
    for (const lane of this.lanes.values()) lane.detach();
    if (this.outbox !== undefined) {
      if (this.heldCount() > 0) this.migrate();
      try {
        this.outbox.close();
      } catch (err) {
        this.logger.error({ err }, 'outbox: close failed');
      }
    }
    this.outbox = undefined;
    const left = this.heldCount();
    if (left > 0) this.logger.error({ records: left }, 'outbox: records held in memory could not be stored before stopping');
  }

  private heldCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.held();
    return n;
  }

  /**
   * A number while the file cannot be written: records held in memory are still sent, so their
   * numbers are reserved in the mark outside the file, a block at a time, as the file would: a
   * crash during the fault never lets the next start hand them out again.
   */
  private memoryNext(): number {
    const n = ++this.lastSeq;
    const mark = this.mark;
    if (mark !== undefined && n > (mark.issued() ?? 0)) mark.reserve(n - 1 + (this.options.outbox.sequenceBlockSize ?? SEQUENCE_BLOCK));
    return n;
  }

  /** Runs `fn` on the working file; a storage failure enters the fault state and yields undefined. */
  private guarded<T>(operation: string, fn: (box: Outbox) => T): T | undefined {
    const box = this.outbox;
    if (box === undefined) return undefined;
    try {
      return fn(box);
    } catch (err) {
      if (!isStorageFailure(err) && !box.failed()) throw err;
      this.failed(operation, err);
      return undefined;
    }
  }

  private tryOpen(integrity: 'ok' | 'corrupt' | undefined, salvaged?: SalvageReport): boolean {
    const o = this.options;
    const opts: OutboxOptions = {
      ...o.outbox,
      clock: o.clock,
      logger: this.logger,
      ...(this.mark !== undefined ? { sequenceMark: this.mark } : {}),
      onStorageError: (err) => this.failed('group commit', err),
      ...(o.onNotice !== undefined ? { onNotice: o.onNotice } : {}),
      ...(integrity !== undefined ? { integrity } : {}),
      ...(salvaged !== undefined ? { salvaged } : {}),
    };
    let box: Outbox;
    try {
      box = (o.openOutbox ?? Outbox.open)(opts);
    } catch (err) {
      this.failed('open', err);
      return false;
    }
    if (this.fault.active()) {
      try {
        box.probeWrite();
      } catch (err) {
        try {
          box.close();
        } catch {
          // a handle that cannot write may not close cleanly either; it is dropped
        }
        this.failed('probe', err);
        return false;
      }
    }
    this.outbox = box;
    box.raiseSequenceTo(this.lastSeq);
    this.lastSeq = Math.max(this.lastSeq, box.sequenceMark());
    for (const lane of this.lanes.values()) lane.attach(box);
    if (this.fault.active()) this.recovered();
    return true;
  }

  private failed(operation: string, err: unknown): void {
    const code = String((err as { storageCode?: unknown; code?: unknown }).storageCode ?? (err as { code?: unknown }).code ?? 'UNKNOWN');
    const box = this.outbox;
    if (box !== undefined) {
      this.outbox = undefined;
      for (const lane of this.lanes.values()) lane.detach();
      try {
        this.lastSeq = Math.max(this.lastSeq, box.sequenceMark());
        for (const { reading, destinations } of box.takeBuffered()) for (const id of destinations) this.lanes.get(id)?.memory.addReading(reading);
        box.close();
      } catch (closeErr) {
        this.logger.warn({ err: closeErr }, 'outbox: dropping the failed handle');
      }
    }
    this.fault.enter(operation, code, err);
  }

  /** The file works again: what waited in memory goes into it, the fault is cleared. */
  private recovered(): void {
    const moved = this.migrate();
    if (this.outbox === undefined) return; // the migration itself failed: still in fault
    this.fault.clear(moved);
    for (const lane of this.lanes.values()) for (const p of PRIORITIES) lane.notify(p);
  }

  /**
   * Moves waiting records from memory into the working file. A record waiting for several
   * destinations is one row for all of them (each kept its own copy in memory: the same object).
   */
  private migrate(): { events: number; readings: number } {
    const box = this.outbox;
    const moved = { events: 0, readings: 0 };
    if (box === undefined) return moved;
    const events = new Map<GatewayEvent, string[]>();
    const readings = new Map<Reading, string[]>();
    for (const lane of this.lanes.values()) {
      const waiting = lane.memory.takeWaiting();
      for (const e of waiting.events) events.set(e, [...(events.get(e) ?? []), lane.id]);
      for (const r of waiting.readings) readings.set(r, [...(readings.get(r) ?? []), lane.id]);
      const dropped = lane.memory.takeDropped();
      // The loss is this destination's: the notice goes to it alone.
      if (dropped !== undefined) events.set(this.notices.dropped(dropped.count, dropped.fromTs, dropped.toTs, 'storage fault'), [lane.id]);
    }
    const eventList = [...events];
    const readingList = [...readings];
    try {
      for (const [e, ids] of eventList) {
        box.appendEvent(e, ids);
        moved.events++;
      }
      for (const [r, ids] of readingList) {
        box.appendReading(r, ids);
        moved.readings++;
      }
      box.flush();
    } catch (err) {
      // Put back what did not make it (the handle is dropped; its buffer is salvaged in failed()).
      for (const [e, ids] of eventList.slice(moved.events)) for (const id of ids) this.lanes.get(id)?.memory.addEvent(e);
      for (const [r, ids] of readingList.slice(moved.readings)) for (const id of ids) this.lanes.get(id)?.memory.addReading(r);
      this.failed('migrate', err);
    }
    if (moved.events > 0) for (const lane of this.lanes.values()) lane.notify(PRIORITY_EVENT);
    return moved;
  }
}
