import type { ActiveAlarm } from '../alarms/active-alarm.js';
import type { OutputInfo, OutputTestResult } from '../outputs/gateway-outputs.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';
import type { ScheduledDeviceSnapshot } from '../devices/scheduler.js';
import type { OutboxStats } from '../outbox/types.js';
import type { UplinkState } from '../uplink/session.js';
import type { ScanHit, ScanProgress } from '../bus/modbus/scan.js';
import type { Location } from '../model/location.js';
import type { StorageHealth } from '../outbox/resilient-outbox.js';
import type { DestinationStats } from '../outbox/types.js';
import type { CentreState } from '../uplink/centre/state.js';
import type { GateCounters } from '../remote/command-gate.js';
import type { CatalogueDevice } from './device-catalogue.js';
import type { TrendSample } from './recent.js';
import type { WalkTestRequest, WalkTestSession } from '../alarms/walk-test.js';

/** One destination of the outbox (the platform, a monitoring centre): its connection and its own backlog. */
export interface DestinationStatus extends DestinationStats {
  id: string;
  kind: 'mqtt' | 'gbt26875';
  connected: boolean;
  lastError: string | null;
  /** Monitoring centres: the GB/T 26875.3 session (counters, duty check, clock sync). */
  centre?: CentreState;
}

/**
 * Everything the API needs from the running gateway, and nothing more. The daemon implements it
 * (src/api/daemon-facade.ts); tests implement it with real parts or small fakes. Keeping the API on
 * this interface means a route can never reach into the pipeline and block it.
 */

export interface GatewayStatus {
  gatewayId: string;
  name?: string;
  version: string;
  uptimeS: number;
  clock: { now: number; synced: boolean };
  uplink: UplinkState | null;
  outbox: Pick<OutboxStats, 'depth' | 'total' | 'inflight' | 'oldestUnsentAgeMs'> | null;
  /** Every destination with its own backlog: the platform first, then the monitoring centres. */
  destinations: DestinationStatus[];
  devices: { total: number; online: number; offline: number; starting: number };
  /** Conditions on the alarm desk (alarms, faults, offline devices; latched alarms included). */
  activeAlarms: number;
  alarms: { conditions: number; fire: number; latched: number; faults: number };
  /** Fire alarms awaiting confirmation by the receiving centre; `fault` once one is overdue (EN 54-21). */
  receipt: { fault: boolean; awaiting: number; overdue: number };
  /** The outbox file: ok, or a storage fault with records held in memory. */
  storage: StorageHealth;
  /** A walk test running now (EN 54-2 test condition): every screen shows it. */
  walkTest?: WalkTestSession;
  /** Faults of the gateway's own parts (storage, GPIO lines, uplink, state files, receipts). */
  faults: { id: string; point: string; severity: string; message: string; since: number }[];
}

/** An output switched by a commissioning test, and whether the switching worked. */
export interface OutputTestRecord {
  output: string;
  at: number;
  ok: boolean;
}

/** Where a test alarm for a device stands: sent, and confirmed by the platform (PUBACK) or not. */
export interface TestAlarmRecord {
  deviceId: string;
  eventId: string;
  sentAt: number;
  confirmedAt?: number;
  result: 'pending' | 'pass' | 'fail';
}

export interface ScanRequest {
  bus: string;
  from: number;
  to: number;
  /** Serial buses only: baud rates to try; default the bus's configured one. */
  baudRates?: number[];
  timeoutMs?: number;
}

export interface ScanJob {
  id: string;
  bus: string;
  state: 'running' | 'done' | 'failed';
  startedAt: number;
  progress: ScanProgress;
  found: ScanHit[];
  error?: string;
}

export interface BusInfo {
  id: string;
  type: string;
  baudRate?: number;
  devices: number;
}

export type LiveMessage =
  | { type: 'reading'; reading: Reading }
  | { type: 'event'; event: GatewayEvent }
  | { type: 'alarm'; alarm: ActiveAlarm; change?: string }
  | { type: 'scan'; job: ScanJob }
  | { type: 'test-alarm'; record: TestAlarmRecord };

export type { ActiveAlarm, OutputInfo, OutputTestResult };

/** One scheduled device command as the report shows it. */
export interface MaintenanceRow {
  name: string;
  device: string;
  command: string;
  /** The command's name in each console language, from the device's profile. */
  commandLabels?: { 'zh-CN'?: string; en?: string };
  every: 'day' | 'week' | 'month';
  at: string;
  nextDue: number;
  overdue: boolean;
  lastRunAt?: number;
  lastResult?: string;
  lastOkAt?: number;
}

export interface GatewayFacade {
  /** Scheduled device commands (the monthly leakage self-test) with their last results; absent without a schedule. */
  maintenance?(): MaintenanceRow[];
  status(): GatewayStatus;
  /** Remote commands the gate admitted and refused since start; absent without remote management. */
  remoteCommands?(): Readonly<GateCounters> | undefined;
  devices(): ScheduledDeviceSnapshot[];
  /** Every device of every kind (Modbus, contacts, tag readers, outputs) with its points' labels. */
  catalogue(): CatalogueDevice[];
  /** When the device last answered or reported (any kind), and its last value per point. */
  lastSeen(deviceId: string): number | undefined;
  lastValues(deviceId: string): Reading[];
  /** A numeric point's last hours, one averaged sample per minute, oldest first. */
  trend(deviceId: string, point: string): TrendSample[];
  device(id: string): ScheduledDeviceSnapshot | undefined;
  /** Recent readings of one device (newest last), for the console's chart. */
  history(deviceId: string, point?: string): Reading[];
  recentEvents(limit: number): GatewayEvent[];
  activeAlarms(): ActiveAlarm[];
  /** Throws HearthError API_NOT_FOUND for an unknown or already restored alarm. */
  acknowledge(eventId: string, by: string): Promise<ActiveAlarm>;
  silence(eventId: string, minutes: number, by: string): Promise<ActiveAlarm>;
  /** Polls the device now (joins a poll already running). Throws API_NOT_FOUND for an unknown device. */
  readNow(deviceId: string): Promise<{ ok: boolean; code?: string; device: ScheduledDeviceSnapshot }>;
  outputs(): OutputInfo[];
  /** Throws API_NOT_FOUND (unknown output) or OUTPUT_NONE (no outputs configured). */
  testOutput(outputId: string, durationMs: number): Promise<OutputTestResult>;
  /** The last test of each output since start (the commissioning report's "outputs tested"). */
  outputTests(): OutputTestRecord[];
  /** A `test` event through the pipeline sink → outbox → uplink; resolves once stored. */
  sendTestAlarm(deviceId: string | undefined, by: string): Promise<TestAlarmRecord>;
  testAlarms(): TestAlarmRecord[];
  buses(): BusInfo[];
  startScan(req: ScanRequest): ScanJob;
  scan(id: string): ScanJob | undefined;
  /** Live feed; returns the unsubscribe function. */
  subscribe(listener: (m: LiveMessage) => void): () => void;
  /** Device locations for the commissioning report. */
  location(): Location;
  /**
   * Someone on site answers a monitoring centre's duty check (查岗). Throws API_NOT_FOUND for an
   * unknown centre, DUTY_CHECK_NONE when no check waits for an answer (none asked, answered, missed).
   */
  answerDutyCheck(centreId: string, by: string): CentreState;
  /** The running walk test, else the last one (undefined: none since start). */
  walkTest(): WalkTestSession | undefined;
  /** Throws WALK_TEST_ACTIVE (one runs), WALK_TEST_INVALID (duration, empty list), API_NOT_FOUND (unknown device). */
  startWalkTest(req: WalkTestRequest): WalkTestSession;
  /** Throws API_NOT_FOUND when no walk test runs. */
  stopWalkTest(by: string): WalkTestSession;
}
