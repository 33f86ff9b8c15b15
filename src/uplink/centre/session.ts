import type { CentreConfig } from '../../config/types.js';
import { ignoreFaults, type FaultReporter } from '../../faults/gateway-faults.js';
import { noopLogger, type ComponentLogger as Logger } from '../../log/component-logger.js';
import { PRIORITY_EVENT, PRIORITY_FIRE, type Batch, type UplinkSource } from '../../outbox/types.js';
import { Command, eventUnits, operationUnit, readingUnits, type DecodedFrame, type FrameReaderStats, type GatewayOperation, type Gbt26875Site, type UploadUnit } from '../gbt26875/index.js';
import { ParkedRetry, PARKED_RETRY_MS } from '../parked-retry.js';
import { ReconnectSchedule, URGENT_RECONNECT_MAX_MS } from '../reconnect.js';
import { handleCentreFrame, type CentreControls } from './incoming.js';
import { InFlight, type Packet } from './in-flight.js';
import { FrameMaker } from './frames.js';
import { CentreLink } from './link.js';
import { LinkFault } from './link-fault.js';
import { OperationsLog } from './operations-log.js';
import { addReaderStats, emptyCounters, emptyReaderStats, type CentreState } from './state.js';
import { deviceStateOf } from './states.js';
import { DutyCheck } from './duty-check.js';
import { EMPTY_VIEW, type CentreView } from './view.js';

/** Record packets in flight at once besides fire alarms (stop-and-wait, as §6.5 describes a send). */
const WINDOW = 1;
/** Fire alarms may pass a waiting packet, up to this many at once. */
const FIRE_WINDOW = 16;
/** Operations waiting for a connection, at most (oldest dropped). */
const MAX_WAITING_OPERATIONS = 100;

/** An audited act of the centre (controls) or for it (duty-check answers). */
export interface CentreAuditEntry {
  at: number;
  by: string;
  command: 'initialise' | 'clock_sync' | 'duty_check' | 'duty_check_answer';
  params: Record<string, unknown>;
  outcome: 'done' | 'rejected';
  message?: string;
}

export interface CentreSessionOptions {
  centre: CentreConfig;
  /** This centre's part of the outbox. */
  source: UplinkSource;
  site: Gbt26875Site;
  /** What is raised now, the latest readings: for states and reads. Default: nothing. */
  view?: CentreView;
  now?: () => number;
  /** hearth's version, for the software-version reads. */
  version?: string;
  /** Takes the centre's time as the gateway's (clock sync, control 90). */
  adoptTime?: (wallMs: number) => { applied: boolean; offsetMs: number };
  /** `gbt26875:<id>` while the centre cannot be reached for linkFaultAfterMs. */
  faults?: FaultReporter;
  /** The centre confirmed these fire alarms: their receipt (EN 54-21). */
  receipts?: (eventIds: readonly string[]) => void;
  audit?: (entry: CentreAuditEntry) => void;
  /** Someone should look at the console: a duty check came in. */
  onDutyCheck?: () => void;
  logger?: Logger;
  random?: () => number;
  /** Default 10000. */
  connectTimeoutMs?: number;
  /** Default 60000. */
  linkFaultAfterMs?: number;
  parkedRetryMs?: number;
  urgentMaxMs?: number;
}

/**
 * The connection to one fire remote monitoring centre over GB/T 26875.3-2011 (docs/gbt26875.md):
 * the centre's records from the outbox go out as send (2) frames, fire alarms first; a record
 * leaves the outbox only on the centre's confirm (3) of every frame it became; a frame waits
 * confirmTimeoutMs for it and is sent again up to `resends` times, then the connection is made
 * again (§6.5). The centre's reads are answered (reply 5), its controls confirmed and acted on. A
 * heartbeat (the transmission device's state, type 21) goes out after heartbeatS of silence. The
 * gateway works without it: start() does not wait for the centre.
 */
export class CentreSession {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly centre: CentreConfig;
  private readonly view: CentreView;
  private readonly reconnect: ReconnectSchedule;
  private readonly parked: ParkedRetry;
  private readonly inflight: InFlight;
  private readonly frames: FrameMaker;
  private readonly linkFault: LinkFault;
  private readonly operations = new OperationsLog();
  private readonly dutyCheck: DutyCheck;
  private readonly waitingOperations: UploadUnit[] = [];
  private readonly counters = emptyCounters();
  private readerTotals: FrameReaderStats = emptyReaderStats();
  private readonly info: Pick<CentreState, 'connects' | 'lastConnectAt' | 'lastDisconnectAt' | 'lastError' | 'lastConfirmAt' | 'clockSync'> = {
    connects: 0,
    lastConnectAt: null,
    lastDisconnectAt: null,
    lastError: null,
    lastConfirmAt: null,
    clockSync: null,
  };
  private link: CentreLink | undefined;
  private connected = false;
  private stopping = true;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: CentreSessionOptions) {
    this.centre = options.centre;
    this.logger = options.logger ?? noopLogger;
    this.now = options.now ?? Date.now;
    this.view = options.view ?? EMPTY_VIEW;
    this.dutyCheck = new DutyCheck(this.now);
    this.inflight = new InFlight({
      confirmTimeoutMs: this.centre.confirmTimeoutMs,
      resends: this.centre.resends,
      write: (bytes) => void this.link?.write(bytes),
      resent: (serial) => {
        this.counters.resends++;
        this.logger.warn({ serial }, 'centre: no confirm in time; frame sent again');
      },
      gaveUp: (serial) => {
        this.counters.confirmTimeouts++;
        this.link?.close(`no confirm for serial number ${serial} after ${this.centre.resends} resends`);
      },
    });
    this.frames = new FrameMaker(this.centre, this.now, (serial) => this.inflight.has(serial));
    const { id, host, port } = this.centre;
    this.linkFault = new LinkFault(
      `gbt26875:${id}`,
      options.faults ?? ignoreFaults,
      options.linkFaultAfterMs ?? 60_000,
      () => `monitoring centre ${id} (${host}:${port}) not reachable: ${this.info.lastError ?? 'no connection'}`,
    );
    this.reconnect = new ReconnectSchedule({
      minMs: this.centre.reconnectMinMs,
      maxMs: this.centre.reconnectMaxMs,
      urgentMaxMs: options.urgentMaxMs ?? URGENT_RECONNECT_MAX_MS,
      eventsWaiting: () => this.eventsWaiting(),
      attempt: () => this.connect(),
      logger: this.logger,
      ...(options.random ? { random: options.random } : {}),
    });
    this.parked = new ParkedRetry(options.source, options.parkedRetryMs ?? PARKED_RETRY_MS, this.logger);
  }

  start(): void {
    if (!this.stopping) return;
    this.stopping = false;
    this.unsubscribe = this.options.source.onCommitted((priority) => {
      if (this.connected) this.pump();
      else if (priority <= PRIORITY_EVENT) this.reconnect.hurry(priority);
    });
    this.linkFault.arm();
    this.connect();
  }

  stop(): void {
    this.stopping = true;
    this.unsubscribe?.();
    this.reconnect.cancel();
    this.parked.stop();
    this.linkFault.stop();
    this.link?.close('stopping');
  }

  /** An operation at the gateway (acknowledge, silence, reset…) reported to the centre; held while disconnected. */
  reportOperation(operation: GatewayOperation, deviceId?: string): void {
    const unit = operationUnit(operation, this.options.site, new Date(this.now()), deviceId === undefined ? {} : { deviceId });
    this.operations.add(unit as Extract<UploadUnit, { type: 4 | 24 }>);
    this.waitingOperations.push(unit);
    if (this.waitingOperations.length > MAX_WAITING_OPERATIONS) this.waitingOperations.shift();
    if (this.connected) this.pump();
  }

  /** Someone on site answers the centre's duty check; false when none waits (or it is too late). */
  answerDutyCheck(by: string): boolean {
    const ok = this.dutyCheck.answer(by);
    this.audit('duty_check_answer', {}, ok ? 'done' : 'rejected', ok ? undefined : 'no duty check waits for an answer', by);
    if (ok) this.reportOperation('duty-check-answer');
    return ok;
  }

  state(): CentreState {
    const c = this.centre;
    const reader = this.link === undefined ? this.readerTotals : addReaderStats(this.readerTotals, this.link.readerStats());
    return {
      id: c.id,
      protocol: 'gbt26875',
      host: c.host,
      port: c.port,
      connected: this.connected,
      ...this.info,
      reconnectAttempts: this.reconnect.attempts(),
      nextAttemptInMs: this.reconnect.nextAttemptInMs(),
      inflight: { records: this.inflight.records(), frames: this.inflight.frameCount() },
      counters: { ...this.counters },
      reader,
      dutyCheck: this.dutyCheck.state(),
    };
  }

  private connect(): void {
    if (this.stopping || this.link !== undefined) return;
    const c = this.centre;
    try {
      const link: CentreLink = new CentreLink(
        { host: c.host, port: c.port, utcOffsetMinutes: c.utcOffsetMinutes, connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000, ...(c.tls ? { tls: c.tls } : {}) },
        { opened: () => this.opened(link), frame: (f) => this.received(f), closed: (reason) => this.closed(link, reason) },
      );
      this.link = link;
    } catch (err) {
      // e.g. a TLS file that cannot be read: a failed attempt like any other.
      this.info.lastError = (err as Error).message;
      this.logger.error({ err }, 'centre: cannot connect');
      this.reconnect.schedule();
    }
  }

  private opened(link: CentreLink): void {
    if (link !== this.link) return;
    this.connected = true;
    this.info.connects++;
    this.info.lastConnectAt = this.now();
    this.reconnect.reset();
    this.linkFault.clear(`monitoring centre ${this.centre.id} reached again`);
    this.logger.info({ host: this.centre.host, port: this.centre.port }, 'centre: connected');
    // The device's state first: the centre learns at once that the gateway is there, and how it is.
    this.sendLive('state', [this.deviceState()]);
    this.parked.start();
    this.pump();
  }

  private closed(link: CentreLink, reason: string): void {
    if (link !== this.link) return;
    this.link = undefined;
    this.readerTotals = addReaderStats(this.readerTotals, link.readerStats());
    clearTimeout(this.heartbeat);
    this.parked.stop();
    const released = this.inflight.clear();
    for (const p of released) if (p.kind === 'record') this.options.source.release(p.ids);
    if (this.connected) {
      this.connected = false;
      this.info.lastDisconnectAt = this.now();
      this.linkFault.arm();
    }
    this.info.lastError = reason;
    this.logger.warn({ reason, released: released.length }, 'centre: disconnected');
    if (!this.stopping) this.reconnect.schedule();
  }

  /** Sends what waits: operations, then records, fire alarms first (they may pass a waiting packet). */
  private pump(): void {
    while (this.connected && this.waitingOperations.length > 0) this.sendLive('operation', [this.waitingOperations.shift()!]);
    const source = this.options.source;
    while (this.connected) {
      const full = this.inflight.records() >= WINDOW;
      if (full && this.inflight.records(true) >= FIRE_WINDOW) return;
      let batch: Batch | undefined;
      try {
        batch = source.nextBatch({ maxReadings: 63, maxBytes: 65_536, ...(full ? { maxPriority: PRIORITY_FIRE } : {}) });
      } catch (err) {
        this.logger.error({ err }, 'centre: cannot read the outbox');
        return;
      }
      if (batch === undefined) return;
      this.sendRecord(batch);
    }
  }

  private sendRecord(batch: Batch): void {
    const source = this.options.source;
    let units: UploadUnit[] | undefined;
    let frames: [number, Buffer][];
    try {
      units = batch.kind === 'event' ? eventUnits(batch.event, this.options.site, { active: this.view.active() }) : readingUnits(batch.readings, this.options.site);
      frames = this.frames.record(batch.ids[0] ?? 0, Command.send, units ?? []);
    } catch (err) {
      // A record that cannot be put into the standard's fields (e.g. an override out of range):
      // set aside for this centre, kept, with a fault; the others go on.
      this.logger.error({ err, ids: batch.ids }, 'centre: a record cannot be encoded; parked');
      source.park?.(batch.ids, `cannot be encoded: ${(err as Error).message}`);
      return;
    }
    if (frames.length === 0) {
      // Nothing the standard can say about it (a tag event, readings in units it has no type for).
      this.counters.recordsSkipped += batch.ids.length;
      source.delivered(batch.ids);
      return;
    }
    const fireAlarms = batch.kind === 'event' && batch.priority === PRIORITY_FIRE ? [batch.event.id] : [];
    this.counters.framesSent += frames.length;
    this.inflight.send({ kind: 'record', ids: batch.ids, fireAlarms, waiting: new Set(), sentAt: this.now() }, frames);
    this.armHeartbeat();
  }

  /** Frames that are not outbox records (state, heartbeat, operations): confirmed, but not kept on disk. */
  private sendLive(kind: Packet['kind'], units: readonly UploadUnit[]): void {
    const frames = this.frames.live(Command.send, units);
    this.counters.framesSent += frames.length;
    this.inflight.send({ kind, ids: [], fireAlarms: [], waiting: new Set(), sentAt: this.now() }, frames);
    this.armHeartbeat();
  }

  private received(frame: DecodedFrame): void {
    const controls: CentreControls = {
      answer: (to, command, data) => this.link?.write(this.frames.answer(to, command, data)),
      confirmed: (serial) => this.confirmed(serial),
      denied: (serial) => this.denied(serial),
      dutyCheck: (minutes) => {
        this.dutyCheck.asked(minutes);
        this.audit('duty_check', { timeoutMinutes: minutes }, 'done');
        this.logger.warn({ timeoutMinutes: minutes }, 'centre: duty check; someone on site must answer it at the console');
        this.options.onDutyCheck?.();
      },
      clockSync: (time) => this.clockSync(time),
      initialise: () => {
        this.audit('initialise', {}, 'done', 'current state sent again; nothing is erased');
        this.sendLive('state', [this.deviceState()]);
      },
    };
    handleCentreFrame(frame, {
      address: this.centre.sourceAddress,
      utcOffsetMinutes: this.centre.utcOffsetMinutes,
      answers: { site: this.options.site, view: this.view, now: this.now, version: this.options.version ?? '0.0.0', operations: this.operations },
      counters: this.counters,
      logger: this.logger,
      controls,
    });
  }

  private confirmed(serial: number): void {
    this.info.lastConfirmAt = this.now();
    const packet = this.inflight.confirm(serial);
    if (packet === undefined) return;
    if (packet.kind === 'record') {
      this.counters.recordsDelivered += packet.ids.length;
      this.options.source.delivered(packet.ids);
      this.parked.accepted(packet.ids);
      if (packet.fireAlarms.length > 0) this.options.receipts?.(packet.fireAlarms);
    }
    this.pump();
  }

  private denied(serial: number): void {
    const packet = this.inflight.deny(serial);
    if (packet === undefined) return;
    if (packet.kind === 'record') {
      // §6.5.3: a deny means a check of the frame failed; the same bytes would fail again. The
      // record is set aside for this centre (kept, retried periodically), the others go on.
      this.counters.recordsParked += packet.ids.length;
      this.logger.error({ ids: packet.ids, fireAlarms: packet.fireAlarms }, 'centre: denied a record; parked for this centre');
      this.options.source.park?.(packet.ids, `denied by monitoring centre ${this.centre.id}`);
      this.parked.parkedAgain(packet.ids);
    } else {
      this.logger.warn({ kind: packet.kind }, 'centre: denied a frame');
    }
    this.pump();
  }

  private clockSync(time: Date): void {
    const centreTime = time.getTime();
    const before = this.now();
    const adopted = this.options.adoptTime?.(centreTime) ?? { applied: false, offsetMs: centreTime - before };
    this.info.clockSync = { at: this.now(), centreTime, offsetMs: adopted.offsetMs, applied: adopted.applied };
    this.audit('clock_sync', { centreTime: time.toISOString(), offsetMs: adopted.offsetMs, applied: adopted.applied }, 'done');
    this.logger.info({ centreTime: time.toISOString(), offsetMs: adopted.offsetMs, applied: adopted.applied }, 'centre: clock sync');
  }

  private deviceState(): UploadUnit {
    return { type: 21, state: { status: deviceStateOf(this.options.site, this.view.active()), time: new Date(this.now()) } };
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(() => {
      if (this.connected) this.sendLive('heartbeat', [this.deviceState()]);
    }, this.centre.heartbeatS * 1000);
  }

  private eventsWaiting(): boolean {
    try {
      const { depth } = this.options.source.stats();
      return depth.fire + depth.events > 0;
    } catch {
      return true;
    }
  }

  private audit(command: CentreAuditEntry['command'], params: Record<string, unknown>, outcome: CentreAuditEntry['outcome'], message?: string, by = `centre:${this.centre.id}`): void {
    const entry: CentreAuditEntry = { at: this.now(), by, command, params, outcome };
    if (message !== undefined) entry.message = message;
    try {
      this.options.audit?.(entry);
    } catch (err) {
      this.logger.error({ err, entry }, 'centre: audit failed');
    }
  }
}
