import type { Clock } from '../clock/clock.js';
import type { BusConfig, HearthConfig } from '../config/types.js';
import type { ModbusBus } from '../bus/modbus/types.js';
import type { DeviceRuntime, DeviceState } from '../devices/runtime.js';
import type { PollScheduler, ScheduledDeviceSnapshot } from '../devices/scheduler.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import type { Location } from '../model/location.js';
import type { Reading } from '../model/reading.js';
import type { Outbox } from '../outbox/outbox.js';
import type { PipelineSink } from '../pipeline-sink.js';
import type { RulesEngine } from '../rules/engine.js';
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

/** Local outputs (sirens, relays) as the API needs them; provided once GPIO outputs exist. */
export interface OutputsPort {
  list(): OutputInfo[];
  test(id: string, durationMs: number): Promise<OutputTestResult>;
  /** Switches off the sounders an alarm drives (never its relays); returns their names. */
  silence(eventId: string): string[];
}

/** The daemon's parts, read when a request needs them (they exist once the daemon started). */
export interface DaemonParts {
  config: HearthConfig;
  clock: Clock;
  logger: Logger;
  scheduler(): PollScheduler | undefined;
  /** Each device's state, without building full snapshots (the status route is polled often). */
  deviceStates(): DeviceState[];
  runtime(deviceId: string): DeviceRuntime | undefined;
  rules(): RulesEngine | undefined;
  sink(): PipelineSink | undefined;
  outbox(): Outbox | undefined;
  uplink(): UplinkSession | undefined;
  confirmations(): DeliveryConfirmations | undefined;
  liveBus(id: string): ModbusBus | undefined;
  createBus(cfg: BusConfig): ModbusBus;
  outputs?: OutputsPort;
  /** A storage failure while storing a test alarm: the daemon's fatal path. */
  onError(err: unknown): void;
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
  private unlisten: (() => void) | undefined;

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
    const sink = this.parts.sink();
    if (sink === undefined) return;
    this.unlisten = sink.listen((record) => {
      if (record.type === 'reading') this.recent.addReading(record.reading);
      else this.recent.addEvent(record.event);
      this.publish(record);
      if (record.type === 'event' && (record.event.kind === 'restore' || record.event.kind === 'online')) void this.pruneState().catch((err: unknown) => this.parts.logger.error({ err }, 'console state: prune failed'));
    });
    // Test alarms still pending from before a restart can no longer be confirmed: their PUBACK
    // tracking was in memory. They are retried by the outbox, but the installer must test again.
    for (const t of this.state.data.testAlarms) if (t.result === 'pending') void this.state.updateTestAlarm(t.eventId, { result: 'fail' }).catch((err: unknown) => this.parts.logger.error({ err }, 'console state: test alarm not updated'));
  }

  detach(): void {
    this.unlisten?.();
    this.scans.stopAll();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }

  status(): GatewayStatus {
    const { config, clock } = this.parts;
    const states = this.parts.deviceStates();
    const count = (s: DeviceState) => states.filter((x) => x === s).length;
    let outbox: GatewayStatus['outbox'] = null;
    try {
      const s = this.parts.outbox()?.stats();
      if (s !== undefined) outbox = { depth: s.depth, total: s.total, inflight: s.inflight, oldestUnsentAgeMs: s.oldestUnsentAgeMs };
    } catch {
      outbox = null; // a closed or failed outbox: the status still answers
    }
    const status: GatewayStatus = {
      gatewayId: config.gateway.id,
      version: version(),
      uptimeS: Math.round((clock.mono() - this.startedMono) / 100) / 10,
      clock: { now: clock.now(), synced: clock.synced() },
      uplink: this.parts.uplink()?.state() ?? null,
      outbox,
      devices: { total: states.length, online: count('online'), offline: count('offline'), starting: count('starting') },
      activeAlarms: this.parts.rules()?.activeEvents().length ?? 0,
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
    const now = this.parts.clock.now();
    const { acks, silences } = this.state.data;
    return (this.parts.rules()?.activeEvents() ?? []).map((event) => {
      const a: ActiveAlarm = { event };
      const ack = acks[event.id];
      if (ack !== undefined) a.acknowledged = { ...ack };
      const silence = silences[event.id];
      if (silence !== undefined && silence.until > now) a.silencedUntil = silence.until;
      return a;
    });
  }

  async acknowledge(eventId: string, by: string): Promise<ActiveAlarm> {
    this.requireActive(eventId);
    await this.state.acknowledge(eventId, by, this.parts.clock.now());
    return this.alarmChanged(eventId);
  }

  async silence(eventId: string, minutes: number, by: string): Promise<ActiveAlarm> {
    this.requireActive(eventId);
    await this.state.silence(eventId, this.parts.clock.now() + minutes * 60_000, by);
    this.parts.outputs?.silence(eventId);
    return this.alarmChanged(eventId);
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
    const { config, clock } = this.parts;
    const sink = this.parts.sink();
    const outbox = this.parts.outbox();
    const confirmations = this.parts.confirmations();
    if (sink === undefined || outbox === undefined || confirmations === undefined) {
      throw apiError('TEST_ALARM_UNAVAILABLE', 'the gateway is not running its pipeline yet');
    }
    let target: { id: string; location: Location };
    if (deviceId === undefined) target = { id: config.gateway.id, location: config.gateway.location };
    else {
      const device = config.devices.find((d) => d.id === deviceId && d.enabled);
      if (device === undefined) throw apiError('API_NOT_FOUND', `no device '${deviceId}'`);
      target = device;
    }
    const event = buildEvent({ gatewayId: config.gateway.id, clock, seq: outbox }, target, {
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
    try {
      sink.event(event);
    } catch (err) {
      this.parts.onError(err);
      throw err;
    }
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
    const record = await this.state.updateTestAlarm(eventId, change);
    if (record !== undefined) {
      this.parts.logger.info({ device: record.deviceId, result: record.result }, 'test alarm finished');
      this.publish({ type: 'test-alarm', record: { ...record } });
    }
  }

  private requireActive(eventId: string): void {
    const active = this.parts.rules()?.activeEvents() ?? [];
    if (!active.some((e) => e.id === eventId)) throw apiError('API_NOT_FOUND', `no active alarm '${eventId}'`);
  }

  private alarmChanged(eventId: string): ActiveAlarm {
    const alarm = this.activeAlarms().find((a) => a.event.id === eventId);
    if (alarm === undefined) throw apiError('API_NOT_FOUND', `alarm '${eventId}' was restored meanwhile`);
    this.publish({ type: 'alarm', alarm });
    return alarm;
  }

  private async pruneState(): Promise<void> {
    const active = new Set((this.parts.rules()?.activeEvents() ?? []).map((e) => e.id));
    await this.state.prune(active).catch((err: unknown) => this.parts.logger.warn({ err }, 'console state: prune failed'));
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
