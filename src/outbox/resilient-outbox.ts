import { EventBus } from '../events/bus.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { SequenceSource } from '../model/sequence.js';
import type { DurableStore } from './types.js';
import type { OutboxClock } from './clock-epochs.js';
import { isStorageFailure } from './errors.js';
import type { IntegrityVerdict } from './integrity-check.js';
import { noopLogger, type Logger } from './logger.js';
import { MemoryQueue } from './memory-queue.js';
import { OutboxNotices } from './notices.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import type { SalvageReport } from './salvage.js';
import { freshSequenceFloor } from './sequence.js';
import { StorageFault, type StorageHealth } from './storage-fault.js';
import { PRIORITIES, PRIORITY_EVENT, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type OutboxStats, type Priority, type UplinkSource } from './types.js';

export interface ResilientOutboxOptions {
  /** How to open the file (path, quota, ...); storage errors and notices are handled here. */
  outbox: Omit<OutboxOptions, 'onStorageError' | 'onNotice' | 'integrity' | 'salvaged' | 'clock' | 'logger'>;
  clock: OutboxClock;
  gatewayId: string;
  faults: FaultReporter;
  /** The outbox's own events (storage low/full, dropped, parked) once committed: for the alarm desk. */
  onNotice?: (event: GatewayEvent) => void;
  logger?: Logger;
  /** Readings held in memory during a storage fault; older ones are dropped (counted). Default 20000. */
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
 * The outbox as the pipeline and the uplink see it: routes records between the file and memory.
 * While the file works, everything goes to the Outbox. When a write or fsync fails, the gateway
 * enters a *storage fault* (storage-fault.ts): the failed handle is closed (never "fsync again on
 * the same handle and assume success") and records wait in a bounded memory queue that the uplink
 * drains live, so detection, local actions and delivery go on. Once the file opens again, what
 * waits in memory is written to it and the fault is cleared. Nothing here throws into a caller for
 * a storage reason.
 */
export class ResilientOutbox implements DurableStore, SequenceSource, UplinkSource {
  private outbox: Outbox | undefined;
  private readonly memory: MemoryQueue;
  private readonly fault: StorageFault;
  private readonly logger: Logger;
  private readonly committed: EventBus<{ committed: Priority }>;
  private readonly notices: OutboxNotices;
  /** Outbox row ids leased from the current handle; confirmations for ids of an earlier handle are dropped. */
  private readonly leasedRows = new Set<number>();
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  private lastSeq = 0;

  constructor(private readonly options: ResilientOutboxOptions) {
    this.logger = options.logger ?? noopLogger;
    this.committed = new EventBus(this.logger);
    this.memory = new MemoryQueue(options.maxHeldReadings ?? 20_000, options.clock);
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
    if (this.lastSeq === 0) this.lastSeq = freshSequenceFloor(undefined, this.options.clock.now());
  }

  health(): StorageHealth {
    return this.fault.health(this.memory.waitingCount() + this.memory.inflight(), this.memory.droppedReadings());
  }

  /** The underlying file's handle while it works (tools and tests). */
  current(): Outbox | undefined {
    return this.outbox;
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
    return ++this.lastSeq;
  }

  appendEvent(event: GatewayEvent): void {
    const box = this.outbox;
    if (box !== undefined) {
      try {
        box.appendEvent(event);
        return;
      } catch (err) {
        // Committed or not is unknown after a failed fsync: keep it in memory too. A duplicate is
        // recognised by its id upstream; a loss would not be.
        this.failed('appendEvent', err);
      }
    }
    this.notify(this.memory.addEvent(event));
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
    this.memory.addReading(reading);
    this.notify(PRIORITY_TELEMETRY);
  }

  flush(): void {
    this.guarded('flush', (box) => box.flush());
  }

  nextBatch(limits: BatchLimits): Batch | undefined {
    const last = limits.maxPriority ?? PRIORITY_TELEMETRY;
    for (const priority of PRIORITIES) {
      if (priority > last) break;
      // Records held in memory are older than what the reopened file took since: they go first.
      const held = this.memory.lease(priority, limits);
      if (held !== undefined) return held;
      const batch = this.guarded('nextBatch', (box) => box.nextBatch({ ...limits, maxPriority: priority }));
      if (batch !== undefined) {
        for (const id of batch.ids) this.leasedRows.add(id);
        return batch;
      }
    }
    return undefined;
  }

  delivered(ids: readonly number[]): void {
    const { held, rows } = this.split(ids);
    this.memory.delivered(held);
    if (rows.length > 0) this.guarded('delivered', (box) => box.delivered(rows));
  }

  release(ids: readonly number[]): void {
    const { held, rows } = this.split(ids);
    if (held.length > 0) {
      this.memory.release(held);
      // Back in a working file, released records move there (durable) instead of waiting in memory.
      if (this.outbox !== undefined) this.migrate();
    }
    if (rows.length > 0) this.guarded('release', (box) => box.release(rows));
  }

  park(ids: readonly number[], reason: string): void {
    const { held, rows } = this.split(ids);
    // Memory cannot park (nothing to set aside into): held records are simply released.
    if (held.length > 0) this.memory.release(held);
    if (rows.length > 0) this.guarded('park', (box) => box.park(rows, reason));
  }

  unparkAll(): number {
    return this.guarded('unpark', (box) => box.unparkAll()) ?? 0;
  }

  onCommitted(listener: (priority: Priority) => void): () => void {
    return this.committed.on('committed', listener);
  }

  stats(): OutboxStats {
    const m = this.memory;
    const file = this.guarded('stats', (box) => box.stats());
    const memOldest = m.oldestTs();
    const memAge = memOldest === undefined ? null : Math.max(0, this.options.clock.now() - memOldest);
    const base: OutboxStats = file ?? {
      depth: { fire: 0, events: 0, telemetry: 0 },
      total: 0,
      parked: 0,
      inflight: 0,
      buffered: 0,
      oldestUnsentAgeMs: null,
      bytesOnDisk: 0,
      droppedReadings: 0,
      storageFault: false,
    };
    const [fire, events, telemetry] = PRIORITIES.map((p) => m.depth(p)) as [number, number, number];
    return {
      ...base,
      depth: { fire: base.depth.fire + fire, events: base.depth.events + events, telemetry: base.depth.telemetry + telemetry },
      total: base.total + fire + events + telemetry,
      inflight: base.inflight + m.inflight(),
      oldestUnsentAgeMs: base.oldestUnsentAgeMs === null ? memAge : memAge === null ? base.oldestUnsentAgeMs : Math.max(base.oldestUnsentAgeMs, memAge),
      droppedReadings: base.droppedReadings + m.droppedReadings(),
      storageFault: base.storageFault || this.fault.active(),
      heldInMemory: m.waitingCount() + m.inflight(),
    };
  }

  /** Commits what can be committed and closes the file. Records only in memory are lost with the process (logged). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fault.close();
    this.unsubscribe?.();
    const held = this.memory.waitingCount() + this.memory.inflight();
    if (this.outbox !== undefined) {
      if (held > 0) this.migrate();
      try {
        this.outbox.close();
      } catch (err) {
        this.logger.error({ err }, 'outbox: close failed');
      }
    }
    this.outbox = undefined;
    const left = this.memory.waitingCount() + this.memory.inflight();
    if (left > 0) this.logger.error({ records: left }, 'outbox: records held in memory could not be stored before stopping');
  }

  private split(ids: readonly number[]): { held: number[]; rows: number[] } {
    const held: number[] = [];
    const rows: number[] = [];
    for (const id of ids) {
      if (id < 0) held.push(id);
      else if (this.leasedRows.delete(id)) rows.push(id);
      // else: a row of a handle that failed since; it is sent again from the reopened file.
    }
    return { held, rows };
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
    this.unsubscribe = box.onCommitted((p) => this.notify(p));
    if (this.fault.active()) this.recovered();
    return true;
  }

  private failed(operation: string, err: unknown): void {
    const code = String((err as { storageCode?: unknown; code?: unknown }).storageCode ?? (err as { code?: unknown }).code ?? 'UNKNOWN');
    const box = this.outbox;
    if (box !== undefined) {
      this.outbox = undefined;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.leasedRows.clear();
      try {
        this.lastSeq = Math.max(this.lastSeq, box.sequenceMark());
        for (const r of box.takeBuffered()) this.memory.addReading(r);
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
    for (const p of PRIORITIES) this.notify(p);
  }

  /** Moves waiting records from memory into the working file. */
  private migrate(): { events: number; readings: number } {
    const box = this.outbox;
    const moved = { events: 0, readings: 0 };
    if (box === undefined) return moved;
    const { events, readings } = this.memory.takeWaiting();
    const dropped = this.memory.takeDropped();
    if (dropped !== undefined) events.push(this.notices.dropped(dropped.count, dropped.fromTs, dropped.toTs, 'storage fault'));
    try {
      for (const e of events) {
        box.appendEvent(e);
        moved.events++;
      }
      for (const r of readings) {
        box.appendReading(r);
        moved.readings++;
      }
      box.flush();
    } catch (err) {
      // Put back what did not make it (the handle is dropped; its buffer is salvaged in failed()).
      for (const e of events.slice(moved.events)) this.memory.addEvent(e);
      for (const r of readings.slice(moved.readings)) this.memory.addReading(r);
      this.failed('migrate', err);
    }
    if (moved.events > 0) this.notify(PRIORITY_EVENT);
    return moved;
  }

  private notify(priority: Priority): void {
    this.committed.emit('committed', priority);
  }
}
