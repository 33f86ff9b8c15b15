import type { Clock } from '../clock/clock.js';
import type { BusConfig, HearthConfig } from '../config/types.js';
import type { ModbusBus } from '../bus/modbus/types.js';
import type { DeviceRuntime, DeviceState } from '../devices/runtime.js';
import type { PollScheduler, ScheduledDeviceSnapshot } from '../devices/scheduler.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import type { Location } from '../model/location.js';
import type { Reading } from '../model/reading.js';
import type { AlarmDesk, AlarmView } from '../alarms/desk.js';
import type { GatewayBus } from '../events/gateway-topics.js';
import type { GatewayFaults } from '../faults/gateway-faults.js';
import type { ResilientOutbox } from '../outbox/resilient-outbox.js';
import type { PipelineSink } from '../pipeline-sink.js';
import { buildEvent } from '../rules/event-factory.js';
import type { DeliveryConfirmations } from '../uplink/confirmations.js';
import type { UplinkSession } from '../uplink/session.js';
import { version } from '../version.js';
import { apiError } from './errors.js';
import type {
  ActiveAlarm,
  BusInfo,
  GatewayPort,
  GatewayStatus,
  LiveMessage,
  OutputInfo,
  OutputTestResult,
  ScanJob,
  ScanRequest,
  TestAlarmRecord,
} from './gateway-port.js';
import type { ConsoleState } from './local-state.js';
import { RecentRecords } from './recent.js';
import { ScanJobs } from './scan-jobs.js';

/** Local outputs (sirens, relays) as the console and remote commands test them. */
export interface OutputsPort {
  list(): OutputInfo[];
  test(id: string, durationMs: number): Promise<OutputTestResult>;
}

/** The daemon's parts, read when a request needs them (they exist once the daemon started). */
export interface DaemonParts {
  config: HearthConfig;
  clock: Clock;
  logger: Logger;
  /** In-process notifications: readings, events, desk changes. */
  bus: GatewayBus;
  /** Conditions, acknowledgement, silence, receipts (src/alarms/). */
  desk: AlarmDesk;
  /** The outbox as it stands (never throws for storage), also the sequence source. */
  store: ResilientOutbox;
  faults: GatewayFaults;
  /** Where a commissioning test alarm enters the pipeline like any other event. */
  sink: PipelineSink;
  scheduler(): PollScheduler | undefined;
  /** Each device's state, without building full snapshots (the status route is polled often). */
  deviceStates(): DeviceState[];
  runtime(deviceId: string): DeviceRuntime | undefined;
  uplink(): UplinkSession | undefined;
  confirmations(): DeliveryConfirmations | undefined;
  liveBus(id: string): ModbusBus | undefined;
  createBus(cfg: BusConfig): ModbusBus;
  outputs?: OutputsPort;
}

/**
 * No acknowledgement from the receiving centre within 100 s after a fire alarm is a fault
 * (EN 54-21 §5.3); the same bound decides a commissioning test alarm's pass or fail.
 */
export const TEST_ALARM_DEADLINE_MS = 100_000;

/** The GatewayPort over a running Daemon. */
export class DaemonPort implements GatewayPort {
  private readonly recent = new RecentRecords();
  private readonly listeners = new Set<(m: LiveMessage) => void>();
  private readonly scans: ScanJobs;
  private readonly startedMono: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unlisten: (() => void)[] = [];

  constructor(
    private readonly parts: DaemonParts,
    private readonly state: ConsoleState,
    private readonly testAlarmDeadlineMs = TEST_ALARM_DEADLINE_MS,
  ) {
    this.startedMono = parts.clock.mono();
    this.scans = new ScanJobs({
      busConfig: (id) => parts.config.buses.find((b) => b.id === id),
      liveBus: (id) => parts.liveBus(id),
      createBus: (cfg) => parts.createBus(cfg),
      now: () => parts.clock.now(),
      onUpdate: (job) => this.publish({ type: 'scan', job }),
    });
  }

  /** Starts following the pipeline (call once the devices started). */
  attach(): void {
    const { bus } = this.parts;
    this.unlisten.push(
      bus.on('reading', (reading) => {
        this.recent.addReading(reading);
        this.publish({ type: 'reading', reading });
      }),
      bus.on('event', (event) => {
        this.recent.addEvent(event);
        this.publish({ type: 'event', event });
      }),
      bus.on('desk', (change) => this.publish({ type: 'alarm', alarm: toActiveAlarm(this.parts.desk.get(change.condition.event.id) ?? { ...change.condition, sounding: false }), change: change.type })),
    );
    // Test alarms still pending from before a restart can no longer be confirmed: their PUBACK
    // tracking was in memory. They are retried by the outbox, but the installer must test again.
    for (const t of this.state.data.testAlarms) if (t.result === 'pending') void this.state.updateTestAlarm(t.eventId, { result: 'fail' }).catch((err: unknown) => this.parts.logger.error({ err }, 'console state: test alarm not updated'));
  }

  detach(): void {
    for (const off of this.unlisten.splice(0)) off();
    this.scans.stopAll();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }

  status(): GatewayStatus {
    const { config, clock, desk, store, faults } = this.parts;
    const states = this.parts.deviceStates();
    const count = (s: DeviceState) => states.filter((x) => x === s).length;
    let outbox: GatewayStatus['outbox'] = null;
    try {
      const s = store.stats();
      outbox = { depth: s.depth, total: s.total, inflight: s.inflight, oldestUnsentAgeMs: s.oldestUnsentAgeMs };
    } catch {
      outbox = null; // a closed outbox: the status still answers
    }
    const summary = desk.summary();
    const status: GatewayStatus = {
      gatewayId: config.gateway.id,
      version: version(),
      uptimeS: Math.round((clock.mono() - this.startedMono) / 100) / 10,
      clock: { now: clock.now(), synced: clock.synced() },
      uplink: this.parts.uplink()?.state() ?? null,
      outbox,
      devices: { total: states.length, online: count('online'), offline: count('offline'), starting: count('starting') },
      activeAlarms: summary.conditions,
      alarms: { conditions: summary.conditions, fire: summary.fireAlarms, latched: summary.latched, faults: summary.faults },
      receipt: {
        fault: summary.receipt.fault,
        awaiting: summary.receipt.awaiting.length,
        overdue: summary.receipt.awaiting.filter((a) => a.overdue).length,
      },
      storage: store.health(),
      faults: faults.list().map((f) => ({ id: f.id, point: f.point ?? '', severity: f.severity, message: f.message, since: f.ts })),
    };
    if (config.gateway.name !== undefined) status.name = config.gateway.name;
    return status;
  }

  devices(): ScheduledDeviceSnapshot[] {
    return this.parts.scheduler()?.snapshot() ?? [];
  }

  device(id: string): ScheduledDeviceSnapshot | undefined {
    return this.devices().find((d) => d.id === id);
  }

  history(deviceId: string, point?: string): Reading[] {
    return this.recent.history(deviceId, point);
  }

  recentEvents(limit: number): GatewayEvent[] {
    return this.recent.recentEvents(limit);
  }

  activeAlarms(): ActiveAlarm[] {
    return this.parts.desk.list().map(toActiveAlarm);
  }

  async acknowledge(eventId: string, by: string): Promise<ActiveAlarm> {
    return toActiveAlarm(this.onDesk(() => this.parts.desk.acknowledge(eventId, { by, via: 'console' })));
  }

  async silence(eventId: string, minutes: number, by: string): Promise<ActiveAlarm> {
    return toActiveAlarm(this.onDesk(() => this.parts.desk.silence(eventId, minutes, { by, via: 'console' })));
  }

  async readNow(deviceId: string): Promise<{ ok: boolean; code?: string; device: ScheduledDeviceSnapshot }> {
    const runtime = this.parts.runtime(deviceId);
    if (runtime === undefined) throw apiError('API_NOT_FOUND', `no device '${deviceId}'`);
    const outcome = await runtime.pollOnce();
    const device = this.device(deviceId)!;
    return outcome.ok ? { ok: true, device } : { ok: false, code: outcome.code, device };
  }

  outputs(): OutputInfo[] {
    return this.parts.outputs?.list() ?? [];
  }

  async testOutput(outputId: string, durationMs: number): Promise<OutputTestResult> {
    const outputs = this.parts.outputs;
    if (outputs === undefined || outputs.list().length === 0) throw apiError('OUTPUT_NONE', 'no outputs configured on this gateway');
    if (!outputs.list().some((o) => o.id === outputId)) throw apiError('API_NOT_FOUND', `no output '${outputId}'`);
    return outputs.test(outputId, durationMs);
  }

  async sendTestAlarm(deviceId: string | undefined, by: string): Promise<TestAlarmRecord> {
    const { config, clock, sink, store } = this.parts;
    const confirmations = this.parts.confirmations();
    if (confirmations === undefined) {
      throw apiError('TEST_ALARM_UNAVAILABLE', 'the gateway is not running its pipeline yet');
    }
    let target: { id: string; location: Location };
    if (deviceId === undefined) target = { id: config.gateway.id, location: config.gateway.location };
    else {
      const device = config.devices.find((d) => d.id === deviceId && d.enabled);
      if (device === undefined) throw apiError('API_NOT_FOUND', `no device '${deviceId}'`);
      target = device;
    }
    const event = buildEvent({ gatewayId: config.gateway.id, clock, seq: store }, target, {
      kind: 'test',
      severity: 'info',
      message: `test alarm for ${target.id} (commissioning, by ${by})`,
    });
    const record: TestAlarmRecord = { deviceId: target.id, eventId: event.id, sentAt: event.ts, result: 'pending' };
    await this.state.recordTestAlarm(record);
    confirmations.watch(event.id, (at) => void this.finishTestAlarm(event.id, { result: 'pass', confirmedAt: at }).catch((err: unknown) => this.parts.logger.error({ err }, 'test alarm: not finished')));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      confirmations.unwatch(event.id);
      void this.finishTestAlarm(event.id, { result: 'fail' }).catch((err: unknown) => this.parts.logger.error({ err }, 'test alarm: not finished'));
    }, this.testAlarmDeadlineMs);
    timer.unref();
    this.timers.add(timer);
    // The sink never throws for storage: a test alarm during a storage fault is held in memory and sent.
    sink.event(event);
    return { ...record };
  }

  testAlarms(): TestAlarmRecord[] {
    return this.state.data.testAlarms.map((t) => ({ ...t }));
  }

  buses(): BusInfo[] {
    const { buses, devices } = this.parts.config;
    return buses.map((b) => {
      const info: BusInfo = { id: b.id, type: b.type, devices: devices.filter((d) => d.bus === b.id && d.enabled).length };
      if (b.type !== 'modbus-tcp') info.baudRate = b.baudRate;
      return info;
    });
  }

  startScan(req: ScanRequest): ScanJob {
    return this.scans.start(req);
  }

  scan(id: string): ScanJob | undefined {
    return this.scans.get(id);
  }

  subscribe(listener: (m: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  location(): Location {
    return this.parts.config.gateway.location;
  }

  private async finishTestAlarm(eventId: string, change: Partial<TestAlarmRecord>): Promise<void> {
    const current = this.state.data.testAlarms.find((t) => t.eventId === eventId);
    if (current === undefined || current.result !== 'pending') return;
    const record = await this.state.updateTestAlarm(eventId, change).catch((err: unknown) => {
      this.parts.logger.warn({ err }, 'console state: test alarm result not recorded');
      return undefined;
    });
    if (record !== undefined) {
      this.parts.logger.info({ device: record.deviceId, result: record.result }, 'test alarm finished');
      this.publish({ type: 'test-alarm', record: { ...record } });
    }
  }

  /** Desk errors as the API's: an unknown or finished alarm is a 404. */
  private onDesk(fn: () => AlarmView): AlarmView {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ALARM_NOT_FOUND') throw apiError('API_NOT_FOUND', (err as Error).message);
      throw err;
    }
  }

  private publish(m: LiveMessage): void {
    for (const l of this.listeners) {
      try {
        l(m);
      } catch (err) {
        this.parts.logger.warn({ err }, 'live listener failed');
      }
    }
  }
}

/** A desk condition in the API's shape (kept compatible with the console: silencedUntil, acknowledged). */
export function toActiveAlarm(v: AlarmView): ActiveAlarm {
  const a: ActiveAlarm = { event: v.event, sounding: v.sounding };
  if (v.acknowledged !== undefined) a.acknowledged = { at: v.acknowledged.at, by: v.acknowledged.by, via: v.acknowledged.via };
  if (v.silenced !== undefined) {
    a.silencedUntil = v.silenced.until;
    a.silencedBy = v.silenced.by;
  }
  if (v.clearedAt !== undefined) a.clearedAt = v.clearedAt;
  if (v.receipt !== undefined) a.receipt = v.receipt;
  return a;
}
