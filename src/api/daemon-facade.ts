import type { GateCounters } from '../remote/command-gate.js';
import { toActiveAlarm, type ActiveAlarm } from '../alarms/active-alarm.js';
import type { AlarmView } from '../alarms/desk.js';
import type { ScheduledDeviceSnapshot } from '../devices/scheduler.js';
import type { GatewayEvent } from '../model/event.js';
import type { Location } from '../model/location.js';
import type { CentreState } from '../uplink/centre/state.js';
import type { Reading } from '../model/reading.js';
import type { OutputInfo, OutputTestResult } from '../outputs/gateway-outputs.js';
import { apiError } from './errors.js';
import { LiveFeed } from './facade/live-feed.js';
import { gatewayStatus } from './facade/status.js';
import { TEST_ALARM_DEADLINE_MS, TestAlarms } from './facade/test-alarms.js';
import type { OutputTestRecord, BusInfo, GatewayFacade, GatewayStatus, LiveMessage, MaintenanceRow, ScanJob, ScanRequest, TestAlarmRecord } from './gateway-facade.js';
import type { GatewayParts } from './gateway-parts.js';
import type { ConsoleState } from './local-state.js';
import { ScanJobs } from './scan-jobs.js';
import type { TrendSample } from './recent.js';
import type { WalkTestRequest, WalkTestSession } from '../alarms/walk-test.js';
import { deviceCatalogue, type CatalogueDevice } from './device-catalogue.js';

/**
 * The GatewayFacade over a running daemon: each concern in its own part (live feed and recent
 * records, test alarms, scans, status), the alarm desk for acknowledge and silence, the Modbus
 * source for devices. Routes see only the facade (src/api/gateway-facade.ts).
 */
export class DaemonFacade implements GatewayFacade {
  private readonly feed: LiveFeed;
  private readonly tests: TestAlarms;
  private readonly scans: ScanJobs;
  private readonly startedMono: number;
  private catalogueCache: CatalogueDevice[] | undefined;
  /** The last test of each output, for the commissioning report. */
  private readonly outputLog = new Map<string, OutputTestRecord>();

  constructor(
    private readonly parts: GatewayParts,
    state: ConsoleState,
    testAlarmDeadlineMs = TEST_ALARM_DEADLINE_MS,
  ) {
    this.startedMono = parts.clock.mono();
    this.feed = new LiveFeed(parts.logger);
    this.tests = new TestAlarms(parts, state, (m) => this.feed.publish(m), testAlarmDeadlineMs);
    this.scans = new ScanJobs({
      busConfig: (id) => parts.config.buses.find((b) => b.id === id),
      liveBus: (id) => parts.modbus.bus(id),
      createBus: (cfg) => parts.modbus.createBus(cfg),
      now: () => parts.clock.now(),
      onUpdate: (job) => this.feed.publish({ type: 'scan', job }),
    });
  }

  /** Starts following the pipeline (call once the devices started). */
  attach(): void {
    this.feed.attach(this.parts.bus, this.parts.desk);
    this.tests.attach();
  }

  detach(): void {
    this.feed.detach();
    this.scans.stopAll();
    this.tests.stop();
  }

  status(): GatewayStatus {
    return gatewayStatus(this.parts, this.startedMono);
  }

  remoteCommands(): Readonly<GateCounters> | undefined {
    return this.parts.remote?.gateCounters();
  }

  devices(): ScheduledDeviceSnapshot[] {
    return this.parts.modbus.polling()?.snapshot() ?? [];
  }

  catalogue(): CatalogueDevice[] {
    this.catalogueCache ??= deviceCatalogue(this.parts.config, this.parts.profiles);
    return this.catalogueCache;
  }

  walkTest(): WalkTestSession | undefined {
    return this.parts.desk.walkTest.latest();
  }

  startWalkTest(req: WalkTestRequest): WalkTestSession {
    const known = new Set(this.catalogue().filter((d) => d.kind !== 'output').map((d) => d.id));
    const unknown = (req.devices ?? []).filter((id) => !known.has(id));
    if (unknown.length > 0) throw apiError('API_NOT_FOUND', `no device '${unknown.join("', '")}'`);
    const s = this.parts.desk.walkTest.start(req);
    this.parts.logger.warn({ walkTest: s.id, by: req.by, devices: s.devices ?? 'site', until: s.endsAt, sounders: s.sounders }, 'walk test started: alarms of the devices in test are test alarms');
    return s;
  }

  stopWalkTest(by: string): WalkTestSession {
    const s = this.parts.desk.walkTest.stop(by);
    if (s === undefined) throw apiError('API_NOT_FOUND', 'no walk test is running');
    this.parts.logger.warn({ walkTest: s.id, by, hits: s.hits.length }, 'walk test ended');
    return s;
  }

  lastSeen(deviceId: string): number | undefined {
    return this.feed.recent.lastSeen(deviceId);
  }

  lastValues(deviceId: string): Reading[] {
    return this.feed.recent.lastValues(deviceId);
  }

  trend(deviceId: string, point: string): TrendSample[] {
    return this.feed.recent.trend(deviceId, point);
  }

  device(id: string): ScheduledDeviceSnapshot | undefined {
    return this.devices().find((d) => d.id === id);
  }

  history(deviceId: string, point?: string): Reading[] {
    return this.feed.recent.history(deviceId, point);
  }

  recentEvents(limit: number): GatewayEvent[] {
    return this.feed.recent.recentEvents(limit);
  }

  activeAlarms(): ActiveAlarm[] {
    return this.parts.desk.list().map(toActiveAlarm);
  }

  async acknowledge(eventId: string, by: string): Promise<ActiveAlarm> {
    return toActiveAlarm(onDesk(() => this.parts.desk.acknowledge(eventId, { by, via: 'console' })));
  }

  async silence(eventId: string, minutes: number, by: string): Promise<ActiveAlarm> {
    return toActiveAlarm(onDesk(() => this.parts.desk.silence(eventId, minutes, { by, via: 'console' })));
  }

  maintenance(): MaintenanceRow[] {
    return (this.parts.maintenance?.()?.list() ?? []).map((m) => {
      const row: MaintenanceRow = { name: m.task.name, device: m.task.device, command: m.task.command, every: m.task.every, at: m.task.at, nextDue: m.nextDue, overdue: m.overdue };
      const labels = this.parts.profiles?.get(m.task.device)?.commands.find((c) => c.name === m.task.command)?.labels;
      if (labels !== undefined) row.commandLabels = labels;
      if (m.record?.lastRunAt !== undefined) row.lastRunAt = m.record.lastRunAt;
      if (m.record?.lastResult !== undefined) row.lastResult = m.record.lastResult;
      if (m.record?.lastOkAt !== undefined) row.lastOkAt = m.record.lastOkAt;
      return row;
    });
  }

  async readNow(deviceId: string): Promise<{ ok: boolean; code?: string; device: ScheduledDeviceSnapshot }> {
    const runtime = this.parts.modbus.runtime(deviceId);
    if (runtime === undefined) throw apiError('API_NOT_FOUND', `no device '${deviceId}'`);
    const outcome = await runtime.pollFresh();
    // The poll's readings are stored and shown after the turn (src/core/turn-batch.ts): stored
    // now, so the answer goes back with them in the history.
    this.parts.turn.flush();
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
    const result = await outputs.test(outputId, durationMs);
    this.outputLog.set(outputId, { output: outputId, at: this.parts.clock.now(), ok: result.ok });
    return result;
  }

  outputTests(): OutputTestRecord[] {
    return [...this.outputLog.values()];
  }

  sendTestAlarm(deviceId: string | undefined, by: string): Promise<TestAlarmRecord> {
    return this.tests.send(deviceId, by);
  }

  testAlarms(): TestAlarmRecord[] {
    return this.tests.list();
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
    return this.feed.subscribe(listener);
  }

  location(): Location {
    return this.parts.config.gateway.location;
  }

  answerDutyCheck(centreId: string, by: string): CentreState {
    const centres = this.parts.centres;
    const state = centres?.states().find((c) => c.id === centreId);
    if (centres === undefined || state === undefined) throw apiError('API_NOT_FOUND', `no monitoring centre '${centreId}'`);
    if (!centres.answerDutyCheck(centreId, by)) {
      const why = state.dutyCheck === null ? 'the centre has not asked' : `the last one is ${state.dutyCheck.state}`;
      throw apiError('DUTY_CHECK_NONE', `no duty check of '${centreId}' waits for an answer (${why})`);
    }
    return centres.states().find((c) => c.id === centreId)!;
  }
}

/** Desk errors as the API's: an unknown or finished alarm is a 404. */
function onDesk(fn: () => AlarmView): AlarmView {
  try {
    return fn();
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ALARM_NOT_FOUND') throw apiError('API_NOT_FOUND', (err as Error).message);
    throw err;
  }
}
