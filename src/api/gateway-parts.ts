import type { ModbusSource } from '../../drivers/modbus/source.js';
import type { OutputTester } from '../outputs/gateway-outputs.js';
import type { AlarmDesk } from '../alarms/desk.js';
import type { Clock } from '../clock/clock.js';
import type { HearthConfig } from '../config/types.js';
import type { GatewayBus } from '../core/gateway-bus.js';
import type { GatewayFaults } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { ResilientOutbox } from '../outbox/resilient-outbox.js';
import type { PipelineSink } from '../core/pipeline-sink.js';
import type { TurnBatch } from '../core/turn-batch.js';
import type { UplinkSession } from '../uplink/session.js';
import type { MonitoringCentres } from '../core/monitoring-centres.js';
import type { AuditLog } from '../remote/audit-log.js';
import type { GateCounters } from '../remote/command-gate.js';
import type { DeviceProfiles } from '../config/profiles.js';
import type { CommandRouteDeps } from './routes/commands.js';

/** The parts of the running gateway the console and API use (src/daemon.ts builds them). */
export interface GatewayParts {
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
  /** What the field raised this turn, stored after it (src/core/turn-batch.ts); read now flushes it. */
  turn: Pick<TurnBatch, 'flush'>;
  /** Polled devices, their buses and scheduler: read now, bus scans, the device list. */
  modbus: ModbusSource;
  /** Device id -> its profile: point labels, state names and resolution for people. */
  profiles?: DeviceProfiles;
  uplink: UplinkSession;
  /** The fire monitoring centres (GB/T 26875.3): their connections, duty checks. */
  centres?: Pick<MonitoringCentres, 'states' | 'answerDutyCheck'>;
  /** Present when the gateway has GPIO outputs. */
  outputs?: OutputTester;
  /** Device commands (trip, close, self-test) and the maintenance schedule once started. */
  commands?: CommandRouteDeps['commands'];
  maintenance?: CommandRouteDeps['maintenance'];
  /** Remote management's command gate: what it admitted and refused (metrics). */
  remote?: { gateCounters(): Readonly<GateCounters> };
  /** The gateway's audit log (centre operations, remote commands): API actions are appended to it too. */
  audit?: AuditLog;
}
